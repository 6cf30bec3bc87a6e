#!/usr/bin/env bash
# corpus-repos.sh: derives corpus/repos.tsv, the repository list `make
# corpus` rebuilds the corpus from, from published corpus files and the
# description that lists their repositories' licences. It copies no
# record: only each repository's name, the newest commit the files hold for
# it and that commit's date, and the licence.
#
#   scripts/corpus-repos.sh DESCRIPTION.md FILE.jsonl[.gz]... > corpus/repos.tsv
#
# The newest commit is a repository's first record: the files list each
# repository's commits in git log order, newest first. The licence is the
# SPDX expression of the description's repository tables (a row
# "| owner/name | language | licence (notes) | ..."), without its notes.
# Needs jq.
set -euo pipefail

if [ $# -lt 2 ]; then
	echo "usage: $0 DESCRIPTION.md FILE.jsonl[.gz]..." >&2
	exit 2
fi
command -v jq >/dev/null || { echo "$0: jq is required (apt-get install jq)" >&2; exit 1; }
description=$1
shift

licences=$(mktemp)
trap 'rm -f "$licences"' EXIT
# The rows of the tables whose header names the licence column:
# | owner/name | language | licence (notes) | ...
awk -F' *\\| *' '
	/^\| *repository *\|/ { intable = ($4 ~ /^licence/); next }
	!/^\|/ { intable = 0 }
	intable && $2 ~ /^[A-Za-z0-9._-]+\/[A-Za-z0-9._-]+$/ {
		licence = $4; sub(/ *\(.*$/, "", licence); print $2 "\t" licence
	}' "$description" >"$licences"

cat <<HEADER
# The repositories of the corpus, one a line, tab-separated: the repository
# (owner/name on GitHub), the newest commit the corpus holds for it (its
# full id and author date) and the repository's licence (SPDX). \`make
# corpus\` clones each at that commit and rebuilds the corpus from its
# history (docs/corpus.md).
#
# Derived by scripts/corpus-repos.sh from the published corpus files
# ($(for f in "$@"; do basename "$f"; done | paste -sd, - | sed 's/,/, /g')) and their description: the
# newest commit is a repository's first record (the files are in git log
# order), the licence the SPDX id the description gives for the licence
# file at the repository's head.
#
# repository	commit	date	licence
HEADER

for f in "$@"; do
	case $f in
	*.gz) gzip -dc -- "$f" ;;
	*) cat -- "$f" ;;
	esac
done | jq -r '[.repo, .sha, .date] | @tsv' | awk -F'\t' -v OFS='\t' '
	FNR == NR { licence[$1] = $2; next }
	!seen[$1]++ {
		if (!($1 in licence)) { print "no licence listed for " $1 > "/dev/stderr"; failed = 1 }
		print $1, $2, $3, licence[$1]
	}
	END { exit failed }' "$licences" -
