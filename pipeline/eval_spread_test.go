package pipeline

import "testing"

func TestSpreadOfRepositories(t *testing.T) {
	repos := map[string]RepoFigures{
		"a/one":   {N: 100, AppliedPrecision: 0.9, AppliedCoverage: 0.5},
		"b/two":   {N: 100, AppliedPrecision: 0.7, AppliedCoverage: 0.4},
		"c/three": {N: 100, AppliedPrecision: 0.85, AppliedCoverage: 0.6},
		"d/four":  {N: 100, AppliedCoverage: 0}, // labels nothing: no precision to rank
	}
	s := spreadOf(repos)
	want := Spread{Repositories: 3, MedianPrecision: 0.85, WorstDecilePrecision: 0.7, MedianCoverage: 0.4, WorstDecileCoverage: 0,
		Under080: 1, LeastPrecise: "b/two", LeastPrecisePrecision: 0.7}
	if s != want {
		t.Errorf("spread %+v, want %+v", s, want)
	}
	if got := spreadOf(nil); got != (Spread{}) {
		t.Errorf("spread of no repositories %+v, want zeros", got)
	}
}
