#!/usr/bin/env bash
# fetch-webhook-examples.sh: caches GitHub's webhook payload examples (the npm
# package @octokit/webhooks-examples) outside the clone and prints the path of
# their api.github.com/index.json. The webhook tests read that path from
# $WEBHOOK_EXAMPLES, or find it at the default cache path below.
#
#   scripts/fetch-webhook-examples.sh          fetch if missing, print the path
#   scripts/fetch-webhook-examples.sh path     print the path only
set -euo pipefail

VERSION=${WEBHOOK_EXAMPLES_VERSION:-7.6.1}
CACHE=${COMMIT_LABELER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/commit-labeler}
DIR=$CACHE/webhooks-examples-$VERSION
INDEX=$DIR/api.github.com/index.json

if [ "${1:-}" != path ] && [ ! -s "$INDEX" ]; then
	printf 'fetch-webhook-examples: npm pack @octokit/webhooks-examples@%s\n' "$VERSION" >&2
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	(cd "$tmp" && npm pack --silent "@octokit/webhooks-examples@$VERSION" >/dev/null)
	tar -xzf "$tmp/octokit-webhooks-examples-$VERSION.tgz" -C "$tmp" package/api.github.com/index.json
	mkdir -p "$DIR/api.github.com"
	mv "$tmp/package/api.github.com/index.json" "$INDEX.tmp"
	mv "$INDEX.tmp" "$INDEX"
fi
echo "$INDEX"
