package checkrun

import (
	"strings"

	"github.com/commit-labeler/commit-labeler/classify"
)

// stopwords are English words too common to tell a maintainer anything
// about a change ("crash, when, is" reads as "crash"). The model may weigh
// them; the explanation in words leaves them out, and the collapsed raw
// features still list them.
var stopwords = func() map[string]bool {
	m := map[string]bool{}
	for w := range strings.FieldsSeq(`a an the and or but nor if then else than so as
		of to in on at by for with from into onto out over under up down off about
		is are was were be been being am isn't aren't wasn't weren't
		do does did done has have had having can could should would will shall may might must
		it its it's this that these those there here which who whom whose what when where while why how
		i me my we us our you your he him his she her they them their
		not no all any some each both more most only also just very too again once`) {
		m[w] = true
	}
	return m
}()

// wordsOf are the token namespaces of single words, whose value (maybe
// normalised, classify.NormalWord) names the word, and the text it came
// from when the token does not spell it (nil: the value is the word).
var wordsOf = map[string]func(f *classify.Features) string{
	classify.TokenSubjectWord:  func(f *classify.Features) string { return f.Subject },
	classify.TokenSubjectFirst: func(f *classify.Features) string { return f.Subject },
	classify.TokenBodyWord:     func(f *classify.Features) string { return f.Body },
	classify.TokenDiffAdded:    nil,
	classify.TokenDiffRemoved:  nil,
	classify.TokenPathWord:     nil,
}

// isStopwordFeature reports whether a feature is a stopword of the pull
// request's text: a single word, or a pair of words both stopwords.
func isStopwordFeature(name string, f *classify.Features) bool {
	key, value := phraserKey(name)
	if key == classify.TokenSubjectPair {
		a, b, _ := strings.Cut(sourcePair(classify.Words(f.Subject), value), " ")
		return isStopword(a) && isStopword(b)
	}
	text, ok := wordsOf[key]
	if !ok {
		return false
	}
	if text == nil {
		return isStopword(value)
	}
	return isStopword(sourceWord(classify.Words(text(f)), value))
}

func isStopword(w string) bool { return stopwords[strings.ToLower(w)] }
