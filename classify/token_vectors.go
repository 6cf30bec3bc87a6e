package classify

// The raw token vectors that TF-IDF training, repository learning and the
// label audit build from examples.

import (
	"context"
	"slices"
)

// labeledVector is one training example as a normalised TF-IDF vector.
type labeledVector struct {
	SparseVector
	label  int
	repo   string
	weight float64
}

// hashExamples builds the raw token vectors of examples (hashFeatures,
// chunks of them in parallel), dropping examples whose first label is not
// an output.
func hashExamples(ctx context.Context, examples []Example, labels []string, cfg TfidfConfig) []labeledVector {
	const chunk = 512
	feats := featuresOf(examples)
	vecs := make([]SparseVector, len(feats))
	parallelFor((len(feats)+chunk-1)/chunk, func(c int) {
		lo, hi := c*chunk, min((c+1)*chunk, len(feats))
		copy(vecs[lo:hi], hashFeatures(ctx, feats[lo:hi], cfg))
	})
	out := make([]labeledVector, 0, len(examples))
	for i, e := range examples {
		if y := slices.Index(labels, e.Labels[0]); y >= 0 {
			out = append(out, labeledVector{SparseVector: vecs[i], label: y, repo: e.Repo, weight: e.Weight})
		}
	}
	return out
}

// hashFeatures hashes the tokens of each of feats, but those ctx's
// vectorCache (if any) has already.
func hashFeatures(ctx context.Context, feats []*Features, cfg TfidfConfig) []SparseVector {
	cache := vectorCacheFrom(ctx)
	vecs, missing, config := cache.lookup(cfg, feats)
	for _, i := range missing {
		vecs[i] = Hash(Tokens(feats[i], cfg.Tokens), cfg.Dims)
	}
	cache.store(config, feats, vecs, missing)
	return vecs
}
