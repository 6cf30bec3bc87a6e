package learnjob

import (
	"testing"

	"github.com/commit-labeler/commit-labeler/classify"
)

// TestFigures: the verdict leads, then the figures it was made on, or
// the reason when there were none to compare.
func TestFigures(t *testing.T) {
	global := &classify.Metrics{MacroF1: 0.61, AppliedPrecision: 0.88, AppliedCoverage: 0.52}
	for _, tc := range []struct {
		name    string
		learned *classify.Learned
		want    string
	}{
		{"no report", nil, "no report"},
		{"too few commits", &classify.Learned{Reason: "0 labeled commits: learning needs 100, 30 of them to compare on"},
			"refused: 0 labeled commits: learning needs 100, 30 of them to compare on"},
		{"refused on macro-F1", &classify.Learned{Commits: 480, ValidCommits: 96, Global: global,
			Reason: "macro-F1 on the newest 96 commits 0.580, the global model's 0.610"},
			"refused: macro-F1 on the newest 96 commits 0.580, the global model's 0.610 (of 480 labeled commits); the global model's precision 0.88, coverage 0.52"},
		{"refused on applied precision", &classify.Learned{Commits: 480, ValidCommits: 96, Global: global,
			Learned: &classify.Metrics{MacroF1: 0.74, AppliedPrecision: 0.70, AppliedCoverage: 0.80},
			Reason:  "applied precision on the newest 96 commits 0.700 on 80% of them, under 0.820"},
			"refused: on the newest 96 of 480 labeled commits, macro-F1 0.740 vs the global model's 0.610, precision 0.70 vs 0.88, coverage 0.80 vs 0.52; applied precision on the newest 96 commits 0.700 on 80% of them, under 0.820"},
		{"accepted", &classify.Learned{Commits: 480, ValidCommits: 96, Accepted: true, Global: global,
			Learned: &classify.Metrics{MacroF1: 0.74, AppliedPrecision: 0.91, AppliedCoverage: 0.66}},
			"accepted: on the newest 96 of 480 labeled commits, macro-F1 0.740 vs the global model's 0.610, precision 0.91 vs 0.88, coverage 0.66 vs 0.52"},
		{"accepted, applying nothing", &classify.Learned{Commits: 300, ValidCommits: 60, Accepted: true, Global: global,
			Learned: &classify.Metrics{MacroF1: 1}},
			"accepted: on the newest 60 of 300 labeled commits, macro-F1 1.000 vs the global model's 0.610, precision – vs 0.88, coverage 0.00 vs 0.52"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Figures(tc.learned); got != tc.want {
				t.Errorf("Figures = %q\nwant      %q", got, tc.want)
			}
		})
	}
}
