package classify_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/commit-labeler/commit-labeler/onnxgraph"
)

// BenchmarkSparseLinear runs the sparse linear graph at production size:
// 2^18 hashed features, 512 non-zeros per commit, 13 labels. "single"
// reports one commit's latency percentiles; "batch" the throughput of
// batched calls.
func BenchmarkSparseLinear(b *testing.B) {
	requireRuntime(b)
	const features, nonZeros, labels = 1 << 18, 512, 13
	r := rand.New(rand.NewPCG(6, 6))
	g, err := onnxgraph.SparseLinear(randomMatrix(r, features, labels, 0.1), randomMatrix(r, 1, labels, 0.1).Data, onnxgraph.Softmax)
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	if err := g.WriteFile(dir, onnxgraph.ExternalDataAbove(1<<20)); err != nil {
		b.Fatal(err)
	}
	s := openSession(b, dir)
	ctx := context.Background()

	b.Run("single", func(b *testing.B) {
		inputs := randomSparse(r, 1, nonZeros, features).inputs()
		latencies := make([]time.Duration, 0, b.N)
		for b.Loop() {
			start := time.Now()
			if _, err := s.Run(ctx, inputs...); err != nil {
				b.Fatal(err)
			}
			latencies = append(latencies, time.Since(start))
		}
		slices.Sort(latencies)
		b.ReportMetric(float64(percentile(latencies, 50).Microseconds()), "p50-µs")
		b.ReportMetric(float64(percentile(latencies, 99).Microseconds()), "p99-µs")
	})
	for _, batch := range []int{16, 64} {
		b.Run(fmt.Sprintf("batch%d", batch), func(b *testing.B) {
			inputs := randomSparse(r, batch, nonZeros, features).inputs()
			for b.Loop() {
				if _, err := s.Run(ctx, inputs...); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "commits/s")
		})
	}
}

func percentile(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[(len(sorted)-1)*p/100]
}
