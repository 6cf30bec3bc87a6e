#!/usr/bin/env bash
# action-install.sh: action.yml's first step. Installs the bot from the
# GitHub release of the Action's own ref, which .github/workflows/release.yml
# publishes for every tag v*, so that the job need not build it (a cold
# `go build ./cmd/bot` takes minutes): downloads the release's SHA256SUMS
# and the runner's tarball, commit-labeler-bot-linux-{amd64,arm64}.tar.gz,
# checks the tarball against SHA256SUMS and unpacks it into $RUNNER_TEMP.
#
# Environment:
#   ACTION_REF, ACTION_REPOSITORY  github.action_ref and github.action_repository
#                                  (a composite action sees them only when its
#                                  step passes them through env:)
#   GITHUB_SERVER_URL              https://github.com or the Enterprise Server's
#   COMMIT_LABELER_RELEASE_URL     where the release's files are, instead of
#                                  $GITHUB_SERVER_URL/$ACTION_REPOSITORY/releases/download/$ACTION_REF
#   RUNNER_TEMP, GITHUB_OUTPUT     set by the runner
#
# On success it writes dir=DIR to $GITHUB_OUTPUT: DIR holds commit-labeler-bot
# and libonnxruntime.so.1. It writes no dir, says why on stderr and exits 0
# when the bot is to be built from source instead: no release for the ref (a
# branch, a commit, a local action: 404), none for this architecture, a
# download that failed, or a binary that does not run on this runner.
# A tarball whose SHA-256 is not the one SHA256SUMS gives is refused: exit 1,
# nothing installed and nothing built.
set -euo pipefail

: "${RUNNER_TEMP:?set by the runner}" "${GITHUB_OUTPUT:?set by the runner}"

log() { printf 'action-install: %s\n' "$*" >&2; }

# from_source ends the script without installing: action.yml then builds
# the bot from the Action's source. unexpected_from_source does so for a
# release that should have served, with a warning on the job's page.
from_source() {
	log "$*: building the bot from source"
	exit 0
}
unexpected_from_source() {
	echo "::warning title=commit-labeler::$*: building the bot from source" >&2
	exit 0
}

# fetch URL FILE MAX_BYTES downloads URL to FILE, following redirects
# (GitHub serves release assets from another host); it fails with the HTTP
# status or curl's error in $fetch_error. Retries and the transfer are
# bounded, whatever the server answers.
fetch() {
	local status
	if ! status=$(curl -sS -L --retry 2 --retry-delay 1 --connect-timeout 10 --max-time 300 \
		--max-filesize "$3" -o "$2" -w '%{http_code}' "$1" 2>"$work/curl.err"); then
		fetch_error=$(head -n 1 "$work/curl.err")
		return 1
	fi
	if [ "$status" != 200 ]; then
		fetch_error="HTTP $status"
		return 1
	fi
}

case $(uname -m) in
x86_64) arch=amd64 ;;
aarch64 | arm64) arch=arm64 ;;
*) from_source "no release binary for $(uname -m)" ;;
esac
name=commit-labeler-bot-linux-$arch
tarball=$name.tar.gz

if [ -n "${COMMIT_LABELER_RELEASE_URL:-}" ]; then
	base=${COMMIT_LABELER_RELEASE_URL%/}
elif [ -n "${ACTION_REF:-}" ] && [ -n "${ACTION_REPOSITORY:-}" ]; then
	base=${GITHUB_SERVER_URL:-https://github.com}/$ACTION_REPOSITORY/releases/download/$ACTION_REF
else
	from_source "the Action has no repository and ref (a local action)"
fi

work=$(mktemp -d "$RUNNER_TEMP/commit-labeler-download.XXXXXX")
trap 'rm -rf "$work"' EXIT

if ! fetch "$base/SHA256SUMS" "$work/SHA256SUMS" 1048576; then
	[ "$fetch_error" = "HTTP 404" ] && from_source "no release at $base (404)"
	unexpected_from_source "$base/SHA256SUMS: $fetch_error"
fi
want=$(awk -v f="$tarball" '$2 == f || $2 == "*" f { print $1; exit }' "$work/SHA256SUMS")
[ -n "$want" ] || from_source "$base/SHA256SUMS lists no $tarball"
fetch "$base/$tarball" "$work/$tarball" 1073741824 || unexpected_from_source "$base/$tarball: $fetch_error"

if ! (cd "$work" && printf '%s  %s\n' "$want" "$tarball" | sha256sum -c --status -); then
	got=$(sha256sum "$work/$tarball" | cut -d' ' -f1)
	echo "::error title=commit-labeler::$tarball from $base has SHA-256 $got, but SHA256SUMS says $want: refusing to install it" >&2
	exit 1
fi

dir=$RUNNER_TEMP/$name
rm -rf "$dir"
if ! tar -xzf "$work/$tarball" -C "$RUNNER_TEMP" "$name/commit-labeler-bot" "$name/libonnxruntime.so.1" 2>"$work/tar.err"; then
	rm -rf "$dir"
	unexpected_from_source "$tarball: $(head -n 1 "$work/tar.err")"
fi
# A binary built against a newer glibc than the runner's does not start.
if ! "$dir/commit-labeler-bot" action -h >/dev/null 2>"$work/run.err"; then
	rm -rf "$dir"
	unexpected_from_source "$name/commit-labeler-bot does not run on this runner: $(head -n 1 "$work/run.err")"
fi
echo "dir=$dir" >>"$GITHUB_OUTPUT"
log "installed $tarball from $base (SHA-256 $want) in $dir"
