#!/usr/bin/env bash
# fetch-github-descriptions.sh: caches what GitHub publishes about its API,
# the oracles the tests check the fake GitHub and every webhook payload
# against, outside the clone. Each npm package is pinned by version and by
# the SHA-256 of its tarball; a tarball that does not match is refused.
#
#   @octokit/webhooks-examples  webhook payload examples   (internal/ghexamples)
#   @octokit/webhooks-schemas   JSON schema of every webhook payload
#   @octokit/openapi-webhooks   webhook descriptions: which events an App can
#                               subscribe to, and with which permission
#   @octokit/openapi            the REST API's OpenAPI description
#                               (api.github.com and the newest GHES)
#
#   scripts/fetch-github-descriptions.sh        fetch what is missing, print the
#                                               webhook examples' index.json
#   scripts/fetch-github-descriptions.sh path   print the cache directory only
#
# The tests read the files from $COMMIT_LABELER_CACHE (default
# ~/.cache/commit-labeler)/NAME-VERSION/..., the paths below.
set -euo pipefail

CACHE=${COMMIT_LABELER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/commit-labeler}
if [ "${1:-}" = path ]; then
	echo "$CACHE"
	exit 0
fi

# PACKAGE VERSION SHA-256-of-tarball DIRECTORY FILES-to-extract...
PINS='
@octokit/webhooks-examples 7.6.1 89e6cb1c6345d32e3dd775617fa54effbdc26c859e514898d7728e95e9738280 webhooks-examples-7.6.1 api.github.com/index.json
@octokit/webhooks-schemas 7.6.1 94be9136c02e5246912d6a4b1f178f8d5430ae36839e46ecfcad0020f42f33ca webhooks-schemas-7.6.1 schema.json
@octokit/openapi-webhooks 12.1.0 112b87c7dcda464640248dcf5965bcd69027c65bb45c26ae78fbf3f0d1eaa740 openapi-webhooks-12.1.0 generated/api.github.com.json
@octokit/openapi 23.0.2 71a18407dd5e8464f4e0525daf03deabbe65abd9287d6adc7b5d98f516cd0d0c openapi-23.0.2 generated/api.github.com.json generated/ghes-3.19.json
'

fetch() {
	local pkg=$1 version=$2 sha=$3 dir=$CACHE/$4
	shift 4
	local f missing=0
	for f in "$@"; do [ -s "$dir/$f" ] || missing=1; done
	[ "$missing" = 1 ] || return 0
	printf 'fetch-github-descriptions: npm pack %s@%s\n' "$pkg" "$version" >&2
	local tmp
	tmp=$(mktemp -d)
	(cd "$tmp" && npm pack --silent "$pkg@$version" >/dev/null)
	local tgz
	tgz=$(ls "$tmp"/*.tgz)
	if ! echo "$sha  $tgz" | sha256sum -c --quiet - >/dev/null 2>&1; then
		printf 'fetch-github-descriptions: %s@%s: tarball SHA-256 %s, want %s\n' \
			"$pkg" "$version" "$(sha256sum "$tgz" | cut -d' ' -f1)" "$sha" >&2
		rm -rf "$tmp"
		exit 1
	fi
	tar -xzf "$tgz" -C "$tmp" "${@/#/package/}"
	for f in "$@"; do
		mkdir -p "$(dirname "$dir/$f")"
		mv "$tmp/package/$f" "$dir/$f.tmp"
		mv "$dir/$f.tmp" "$dir/$f"
	done
	rm -rf "$tmp"
}

while read -r pkg version sha dir files; do
	[ -n "$pkg" ] || continue
	# shellcheck disable=SC2086 # files is a list
	fetch "$pkg" "$version" "$sha" "$dir" $files
done <<<"$PINS"
echo "$CACHE/webhooks-examples-7.6.1/api.github.com/index.json"
