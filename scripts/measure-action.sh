#!/usr/bin/env bash
# measure-action.sh [WORKDIR]: times action.yml's step on this machine,
# both ways it gets the bot, and prints one line per measurement:
#   from source   scripts/setup.sh + go build ./cmd/bot, as the Build step,
#                 cold (empty GOCACHE, GOMODCACHE and COMMIT_LABELER_CACHE:
#                 modules come from the Go proxy, ONNX Runtime from npm), then
#                 warm (the same caches again, as actions/cache and setup-go's
#                 cache restore them; the restore itself is not timed)
#   release       scripts/action-install.sh against a local HTTP server
#                 serving what scripts/release-pack.sh packs and its
#                 SHA256SUMS: download, verify, unpack; twice
#   bot action    BenchmarkActionDryRun: the installed release binary,
#                 --dry-run on GitHub's example of an opened pull request
#                 against the fake GitHub, fresh and warm COMMIT_LABELER_CACHE
# WORKDIR (default a new temporary directory) keeps the caches and the
# release; it takes about 2 GB.
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-$(mktemp -d)}
mkdir -p "$work"
export CGO_ENABLED=1

# timed LABEL CMD...: runs CMD with its output in $work/last.log and
# prints LABEL and the wall time.
timed() {
	local label=$1 start
	shift
	start=$EPOCHREALTIME
	if ! "$@" >"$work/last.log" 2>&1; then
		cat "$work/last.log" >&2
		exit 1
	fi
	awk -v s="$start" -v e="$EPOCHREALTIME" -v l="$label" 'BEGIN { printf "%s\t%.1f s\n", l, e - s }'
}

# A fresh runner has no binary yet: go build would skip an up-to-date one.
build_from_source() {
	rm -f "$work/source/commit-labeler-bot"
	GOCACHE=$work/source/gocache GOMODCACHE=$work/source/gomodcache GOFLAGS=-modcacherw \
		COMMIT_LABELER_CACHE=$work/source/cache bash -c \
		'scripts/setup.sh && go build -o "$0/commit-labeler-bot" ./cmd/bot' "$work/source"
}
rm -rf "$work/source"
mkdir -p "$work/source"
timed "from source, cold" build_from_source
timed "from source, warm" build_from_source

rm -rf "$work/release"
scripts/release-pack.sh "$work/release" >/dev/null 2>&1
(cd "$work/release" && sha256sum ./*.tar.gz | sed 's| \./| |' >SHA256SUMS)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$work/release" >/dev/null 2>&1 &
server=$!
trap 'kill "$server"' EXIT
sleep 1
for run in first again; do
	rm -rf "$work/runner-$run"
	mkdir -p "$work/runner-$run"
	timed "release, $run" env RUNNER_TEMP="$work/runner-$run" GITHUB_OUTPUT="$work/runner-$run/output" \
		COMMIT_LABELER_RELEASE_URL="http://127.0.0.1:$port" scripts/action-install.sh
done
ls -l "$work/release"/*.tar.gz

dir=$(sed -n 's/^dir=//p' "$work/runner-first/output")
COMMIT_LABELER_BOT_DIR=$dir go test -count=1 -run '^$' -bench BenchmarkActionDryRun -benchtime 5x ./cmd/bot/ |
	grep '^Benchmark'
