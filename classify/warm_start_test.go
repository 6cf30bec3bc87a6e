package classify

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"
)

// noisyVectors are n examples of k labels over dims indices: each holds its
// label's index and two random others, so no fit is exact.
func noisyVectors(n, k, dims int, seed uint64) []labeledVector {
	rng := rand.New(rand.NewPCG(seed, 7))
	out := make([]labeledVector, n)
	for i := range out {
		y := rng.IntN(k)
		out[i] = labeledVector{label: y, repo: string(rune('a' + i%4)),
			SparseVector: SparseVector{Indices: []int64{int64(y), int64(k + rng.IntN(dims-k)), int64(k + rng.IntN(dims-k))}, Values: []float32{1, 1, 1}}}
	}
	return out
}

// TestWarmStartReachesTheSameFitSooner: the final fit started from the
// mean of fits on parts of the data ends where the fit from zero does, in
// fewer iterations.
func TestWarmStartReachesTheSameFitSooner(t *testing.T) {
	const k, dims = 4, 40
	data := noisyVectors(800, k, dims, 1)
	cfg := TfidfConfig{Dims: dims, C: 1, ClassWeightPower: 1, MaxIterations: 500, Tolerance: 1e-10}
	ctx := context.Background()
	cold, err := fitTfidf(ctx, data, k, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	start := &warmStart{weights: make([]float64, dims*k), bias: make([]float64, k)}
	for _, part := range [][]labeledVector{data[:400], data[400:]} {
		fit, err := fitTfidf(ctx, part, k, cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i, w := range fit.weights {
			start.weights[i] += float64(w)
		}
		for i, b := range fit.bias {
			start.bias[i] += float64(b)
		}
		start.models++
	}
	warm, err := fitTfidf(ctx, data, k, cfg, start)
	if err != nil {
		t.Fatal(err)
	}
	if !cold.result.Converged || !warm.result.Converged || warm.result.Iterations >= cold.result.Iterations {
		t.Errorf("from zero %+v, from the parts' mean %+v: want both converged, the second sooner", cold.result, warm.result)
	}
	for i := range cold.weights {
		if math.Abs(float64(cold.weights[i]-warm.weights[i])) > 1e-3 {
			t.Fatalf("weight %d: %v from zero, %v from the parts' mean", i, cold.weights[i], warm.weights[i])
		}
	}
}

// TestHashFeaturesCachesPerConfiguration: within a training's context the
// vectors are hashed once per configuration, and equal what hashing
// without a cache gives.
func TestHashFeaturesCachesPerConfiguration(t *testing.T) {
	feats := make([]*Features, 3)
	for i, s := range []string{"fix: crash on empty input", "docs: install guide", "feat: add a flag"} {
		f := BuildFeatures(Commit{Subject: s, Files: []File{{Path: "src/main.go", Status: "M"}}})
		feats[i] = &f
	}
	cfg := DefaultTfidfConfig()
	ctx := withVectorCache(context.Background())
	cache := vectorCacheFrom(ctx)
	first := hashFeatures(ctx, feats, cfg)
	if len(cache.vecs) != len(feats) {
		t.Fatalf("cache holds %d vectors after hashing %d commits", len(cache.vecs), len(feats))
	}
	if _, missing, _ := cache.lookup(cfg, feats); len(missing) != 0 {
		t.Errorf("commits %v missing from the cache after hashing them", missing)
	}
	again := hashFeatures(ctx, feats, cfg)
	uncached := hashFeatures(context.Background(), feats, cfg)
	for i := range feats {
		if &again[i].Indices[0] != &first[i].Indices[0] || !sameVector(first[i], uncached[i]) {
			t.Errorf("commit %d: hashed again %v, first %v, without a cache %v", i, again[i], first[i], uncached[i])
		}
	}
	cfg.Dims = 1 << 10
	small := hashFeatures(ctx, feats, cfg)
	for i, v := range small {
		if !sameVector(v, Hash(Tokens(feats[i], cfg.Tokens), cfg.Dims)) {
			t.Errorf("commit %d under 2^10 dimensions: %v, the cache's vector of another configuration", i, v)
		}
	}
}

func sameVector(a, b SparseVector) bool {
	if len(a.Indices) != len(b.Indices) {
		return false
	}
	for j := range a.Indices {
		if a.Indices[j] != b.Indices[j] || a.Values[j] != b.Values[j] {
			return false
		}
	}
	return true
}
