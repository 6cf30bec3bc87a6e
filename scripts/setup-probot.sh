#!/usr/bin/env bash
# setup-probot.sh: installs the npm package probot (and the minimal app
# `bench bot` drives beside the bot, scripts/probot-bench/app.mjs) into a cache
# directory outside the clone, and prints that directory.
#
#   scripts/setup-probot.sh          install if missing, print the directory
#   scripts/setup-probot.sh path     print the directory only
set -euo pipefail

VERSION=${PROBOT_VERSION:-14.3.2}
CACHE=${COMMIT_LABELER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/commit-labeler}
DIR=$CACHE/probot-$VERSION
HERE=$(cd "$(dirname "$0")" && pwd)

if [ "${1:-}" != path ] && [ ! -f "$DIR/node_modules/probot/package.json" ]; then
	command -v npm >/dev/null || { echo "setup-probot: npm is not installed (apt-get install npm)" >&2; exit 1; }
	printf 'setup-probot: npm install probot@%s into %s\n' "$VERSION" "$DIR" >&2
	mkdir -p "$DIR"
	[ -f "$DIR/package.json" ] || printf '{"name":"commit-labeler-probot-bench","private":true}\n' >"$DIR/package.json"
	(cd "$DIR" && npm install --silent --no-audit --no-fund "probot@$VERSION" >&2)
fi
if [ "${1:-}" != path ]; then
	cp "$HERE/probot-bench/app.mjs" "$DIR/app.mjs"
fi
echo "$DIR"
