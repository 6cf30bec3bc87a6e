package classify_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/commit-labeler/commit-labeler/classify"
	"github.com/commit-labeler/commit-labeler/internal/testkind"
)

// BenchmarkEnsembleProbabilities measures an ensemble of two sparse linear
// members: both members' inference, alignment and the combining graph.
func BenchmarkEnsembleProbabilities(b *testing.B) {
	testkind.Require(b)
	examples := testkind.Examples(testkind.Corpus(4, 64))
	train, valid := classify.SplitByRepo(examples, 0.3, 1)
	in := classify.TrainInput{Labels: testkind.Labels, Train: train, Valid: valid}
	root := b.TempDir()
	for _, kind := range []string{testkind.Name, testkind.NameChars} {
		if _, err := classify.Train(context.Background(), kind, in, root+"/"+kind); err != nil {
			b.Fatal(err)
		}
		in.Options.Members = append(in.Options.Members, root+"/"+kind)
	}
	if _, err := classify.Train(context.Background(), classify.KindEnsemble, in, root+"/ensemble"); err != nil {
		b.Fatal(err)
	}
	m, err := classify.Load(root + "/ensemble")
	if err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	for _, batch := range []int{1, 64} {
		feats := make([]*classify.Features, batch)
		for i := range feats {
			feats[i] = examples[i].Features
		}
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			for b.Loop() {
				if _, err := m.Probabilities(context.Background(), feats); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "commits/s")
		})
	}
}
