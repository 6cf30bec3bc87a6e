package classify

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkSoftmaxRegressionEval measures one evaluation of the objective
// and its gradient (an L-BFGS iteration's data pass) on data shaped like
// the corpus' TF-IDF vectors: 13 labels, 100,000 active indices, 57
// indices per example drawn with a Zipf law, 20,000 examples (an eighth of
// the corpus).
func BenchmarkSoftmaxRegressionEval(b *testing.B) {
	const dims, k, n, perExample = 100_000, 13, 20_000, 57
	rng := rand.New(rand.NewPCG(5, 6))
	zipf := rand.NewZipf(rng, 1.1, 1, dims-1)
	data := make([]labeledVector, n)
	for i := range data {
		v := labeledVector{label: rng.IntN(k)}
		for range perExample {
			v.Indices = append(v.Indices, int64(zipf.Uint64()))
			v.Values = append(v.Values, float32(rng.Float64()))
		}
		data[i] = v
	}
	r := newSoftmaxRegression(data, k, dims, 1, 1)
	x, g := make([]float64, dims*k+k), make([]float64, dims*k+k)
	for i := range x {
		x[i] = rng.NormFloat64() * 0.1
	}
	b.ResetTimer()
	for b.Loop() {
		r.eval(x, g)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n*perExample), "ns/nonzero")
}
