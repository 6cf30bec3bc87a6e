#!/usr/bin/env bash
# setup.sh: installs what commit-labeler needs on a fresh machine and prints
# nothing but progress. Idempotent; downloads are cached outside the clone
# (in $COMMIT_LABELER_CACHE, default ~/.cache/commit-labeler) and refetched
# when the cache is missing.
#
#   scripts/setup.sh            system packages + ONNX Runtime library
#   scripts/setup.sh ort-path   print the path of libonnxruntime.so.1 (after setup)
#   scripts/setup.sh chromium   also Debian's chromium, which the summary page's
#                               rendering test drives headless (or set
#                               COMMIT_LABELER_CHROMIUM=1); ~50 s and ~480 MB
set -euo pipefail

ORT_VERSION=1.24.3
CACHE=${COMMIT_LABELER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/commit-labeler}
ORT_LIB=$CACHE/onnxruntime-$ORT_VERSION/libonnxruntime.so.1

if [ "${1:-}" = ort-path ]; then
	echo "$ORT_LIB"
	exit 0
fi

log() { printf 'setup: %s\n' "$*" >&2; }

# System packages: git for the pipeline and its tests, gcc for cgo (SQLite,
# ONNX Runtime bindings), npm for the ONNX Runtime package.
missing=()
command -v git >/dev/null || missing+=(git)
command -v gcc >/dev/null || missing+=(gcc libc6-dev)
command -v npm >/dev/null || missing+=(npm)
if [ "${1:-}" = chromium ] || [ "${COMMIT_LABELER_CHROMIUM:-}" = 1 ]; then
	[ -x /usr/bin/chromium ] || missing+=(chromium)
fi
if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" -ne 0 ]; then
		log "missing ${missing[*]}: install them (apt-get install ${missing[*]}) and rerun"
		exit 1
	fi
	log "installing ${missing[*]}"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
command -v go >/dev/null || { log "Go 1.26 is required (https://go.dev/dl/)"; exit 1; }

# ONNX Runtime: the shared library ships inside the npm package
# onnxruntime-node. `npm pack` only downloads the tarball; `npm install`
# would run its postinstall, which downloads from elsewhere.
if [ ! -s "$ORT_LIB" ]; then
	log "fetching ONNX Runtime $ORT_VERSION (npm pack onnxruntime-node@$ORT_VERSION)"
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	(cd "$tmp" && npm pack --silent "onnxruntime-node@$ORT_VERSION" >/dev/null)
	tar -xzf "$tmp/onnxruntime-node-$ORT_VERSION.tgz" -C "$tmp" package/bin/napi-v6/linux/x64/libonnxruntime.so.1
	mkdir -p "$(dirname "$ORT_LIB")"
	mv "$tmp/package/bin/napi-v6/linux/x64/libonnxruntime.so.1" "$ORT_LIB.tmp"
	mv "$ORT_LIB.tmp" "$ORT_LIB"
fi
log "ONNX Runtime library: $ORT_LIB"

log "downloading Go modules"
go mod download
