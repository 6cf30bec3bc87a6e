package pipeline

import (
	"maps"
	"math"
	"slices"

	"github.com/commit-labeler/commit-labeler/classify"
)

// RepoFigures are one repository's figures in an evaluation.
type RepoFigures struct {
	N                int     `json:"n"`
	Accuracy         float64 `json:"accuracy"`
	AppliedPrecision float64 `json:"applied_precision"`
	AppliedCoverage  float64 `json:"applied_coverage"`
}

// Spread is how a figure varies across the repositories of an evaluation:
// pooled figures hide a repository whose labels are mostly wrong behind
// many whose labels are right.
type Spread struct {
	// Repositories counts those with at least one applied label, over
	// which the applied precision's median and worst decile (the 10th
	// percentile, nearest rank) are taken.
	Repositories         int     `json:"repositories"`
	MedianPrecision      float64 `json:"median_applied_precision"`
	WorstDecilePrecision float64 `json:"worst_decile_applied_precision"`
	// The coverage's median and worst decile are over every repository.
	MedianCoverage      float64 `json:"median_applied_coverage"`
	WorstDecileCoverage float64 `json:"worst_decile_applied_coverage"`
	// Under080 counts the repositories whose applied precision is under
	// 0.80; LeastPrecise is the one with the lowest.
	Under080              int     `json:"under_0_80"`
	LeastPrecise          string  `json:"least_precise"`
	LeastPrecisePrecision float64 `json:"least_precise_applied_precision"`
}

// repoFigures evaluates each repository's outcomes apart.
func repoFigures(labels []string, byRepo map[string][]classify.Scored) map[string]RepoFigures {
	out := make(map[string]RepoFigures, len(byRepo))
	for repo, outcomes := range byRepo {
		m := classify.Evaluate(labels, outcomes)
		out[repo] = RepoFigures{N: m.N, Accuracy: m.Accuracy, AppliedPrecision: m.AppliedPrecision, AppliedCoverage: m.AppliedCoverage}
	}
	return out
}

// spreadOf summarises the repositories' applied precision and coverage.
func spreadOf(repos map[string]RepoFigures) Spread {
	var s Spread
	var precision, coverage []float64
	for _, name := range slices.Sorted(maps.Keys(repos)) {
		r := repos[name]
		coverage = append(coverage, r.AppliedCoverage)
		if r.AppliedCoverage == 0 {
			continue
		}
		precision = append(precision, r.AppliedPrecision)
		if r.AppliedPrecision < 0.80 {
			s.Under080++
		}
		if s.LeastPrecise == "" || r.AppliedPrecision < s.LeastPrecisePrecision {
			s.LeastPrecise, s.LeastPrecisePrecision = name, r.AppliedPrecision
		}
	}
	s.Repositories = len(precision)
	s.MedianPrecision, s.WorstDecilePrecision = quantile(precision, 0.5), quantile(precision, 0.1)
	s.MedianCoverage, s.WorstDecileCoverage = quantile(coverage, 0.5), quantile(coverage, 0.1)
	return s
}

// quantile is the q-quantile of values by nearest rank (0 without values).
func quantile(values []float64, q float64) float64 {
	if len(values) == 0 {
		return 0
	}
	v := slices.Sorted(slices.Values(values))
	return v[max(0, int(math.Ceil(q*float64(len(v))))-1)]
}
