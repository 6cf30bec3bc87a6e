package onnxfixture

import "strings"

// Special tokens, first in the vocabulary as in BERT's.
const (
	PadToken  = "[PAD]"
	UnkToken  = "[UNK]"
	ClsToken  = "[CLS]"
	SepToken  = "[SEP]"
	MaskToken = "[MASK]"
)

// commitWords are whole words common in commit messages. Inflections are
// left to the suffix pieces, so "fixed" splits into fix ##ed.
const commitWords = `
the a an to of and in for on with from is it this that not when by as be no
use fix add bug test tests docs doc readme update bump deps dependency
refactor ci build feat feature chore perf style revert release version merge
pull request branch remove delete rename move change improve clean cleanup
typo error crash fail issue support new old file code config api cli server
client user page link url log debug warning handle check correct make set get
allow enable disable default option type function method class module package
import export script lint format workflow action github go python node npm
yarn docker image unit integration coverage example guide translation locale
i18n language memory leak speed fast slow cache performance security
vulnerability upgrade install setup initial commit cafe data database query
schema migration table model label run runner job pipeline ui css html js
json yaml toml md changelog license contributing comment wip minor major
patch spelling grammar null nil pointer exception panic timeout race
condition thread lock async sync main master dev docs site website test
windows linux mac version v1 v2 go.mod readme.md
`

// suffixPieces continue a word (WordPiece "##" pieces).
const suffixPieces = `s es ed ing er ers ly ion ions ment al y ize ized able ness ful less ity ic ies ied en`

// punctuation is BERT's ASCII punctuation, each a token of its own.
const punctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"

// Vocabulary returns the fixture's WordPiece vocabulary in id order: the
// special tokens ([PAD] is 0), ASCII punctuation, digits and letters alone
// and as "##" pieces (so no ASCII word is unknown), then commit words and
// suffix pieces. Words that contain punctuation are left out: the
// pre-tokenizer splits them.
func Vocabulary() []string {
	vocab := []string{PadToken, UnkToken, ClsToken, SepToken, MaskToken}
	for _, r := range punctuation {
		vocab = append(vocab, string(r))
	}
	const alnum = "0123456789abcdefghijklmnopqrstuvwxyz"
	for _, r := range alnum {
		vocab = append(vocab, string(r))
	}
	for _, r := range alnum {
		vocab = append(vocab, "##"+string(r))
	}
	seen := map[string]bool{}
	for _, t := range vocab {
		seen[t] = true
	}
	for _, w := range strings.Fields(commitWords) {
		if !seen[w] && !strings.ContainsAny(w, punctuation) {
			seen[w] = true
			vocab = append(vocab, w)
		}
	}
	for _, s := range strings.Fields(suffixPieces) {
		if p := "##" + s; !seen[p] {
			seen[p] = true
			vocab = append(vocab, p)
		}
	}
	return vocab
}
