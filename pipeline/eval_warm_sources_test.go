package pipeline

import (
	"testing"

	"github.com/commit-labeler/commit-labeler/classify"
	"github.com/commit-labeler/commit-labeler/store"
)

func TestCorrectedTakesTheShareOfWrongLabels(t *testing.T) {
	wrong, right := classify.Scored{Applied: []string{"feat"}}, classify.Scored{Applied: []string{"fix"}}
	n := 0
	for i := range 2000 {
		e := classify.Example{ID: "acme/app@" + string(rune('a'+i%26)) + string(rune('a'+i/26)), Labels: []string{"fix"}}
		if corrected(e, right, 1) {
			t.Fatalf("%s: a right label counted as corrected", e.ID)
		}
		if corrected(e, wrong, 0.3) {
			n++
		}
		if !corrected(e, wrong, 1) || corrected(e, wrong, 0) {
			t.Fatalf("%s: share 1 must correct every wrong label, share 0 none", e.ID)
		}
	}
	if n < 500 || n > 700 {
		t.Errorf("share 0.3 corrected %d of 2000 wrong labels, want about 600", n)
	}
}

func TestWeights(t *testing.T) {
	opts := classify.LearnOptions{CorrectionWeight: 5, PullRequestWeight: 2}.WithDefaults()
	for _, tc := range []struct {
		source string
		want   float64
	}{{store.SourceHuman, 5}, {store.SourcePullRequest, 2}, {store.SourceConventional, 1}, {store.SourceOllama, 1}} {
		if got := sourceWeight(opts, tc.source); got != tc.want {
			t.Errorf("%s: weight %v, want %v", tc.source, got, tc.want)
		}
	}
	for subject, want := range map[string]bool{"restore kitty stack (#1750)": true, "restore kitty stack": false, "see #12 (#x)": false, "(#3) first": false} {
		if got := pullRequestSubject.MatchString(subject); got != want {
			t.Errorf("%q merged from a pull request: %v, want %v", subject, got, want)
		}
	}
}
