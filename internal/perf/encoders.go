package perf

import (
	"context"
	"fmt"
	"path/filepath"

	commitlabeler "github.com/commit-labeler/commit-labeler"
	"github.com/commit-labeler/commit-labeler/classify"
	"github.com/commit-labeler/commit-labeler/internal/onnxfixture"
	"github.com/commit-labeler/commit-labeler/onnxgraph"
	"github.com/commit-labeler/commit-labeler/pipeline"
)

// EncoderKinds need a pretrained transformer: a sentence encoder
// (embed_mlp) or a fine-tuned classifier (transformer).
var EncoderKinds = []string{classify.KindEmbedMLP, classify.KindTransformer}

// EncoderShape is the transformer the encoder kinds are measured with.
// No pretrained one can be downloaded here; one of all-MiniLM-L6-v2's
// shape, with seeded weights, costs what the real one costs to run, and
// knows nothing: its rows are time and memory, not quality.
var EncoderShape = onnxgraph.MiniLML6

// EncoderExamples is the sample the encoder kinds train on: a MiniLM-sized
// transformer reads about ten commits a second on two cores, so the whole
// corpus would take hours; time per commit is what the rows report.
const EncoderExamples = 1_000

// encoderKinds trains embed_mlp with an encoder of EncoderShape and
// imports a classifier of that shape as the transformer kind, each on
// EncoderExamples commits in its own process.
func (b *bench) encoderKinds(ctx context.Context) ([]Row, error) {
	if b.cfg.Quick {
		var rows []Row
		for _, kind := range EncoderKinds {
			rows = append(rows, Row{What: "training " + kind, Result: "skipped (--quick)"})
		}
		return rows, nil
	}
	encoder, classifier := filepath.Join(b.cfg.Work, "encoders", "minilm-l6-shaped"), filepath.Join(b.cfg.Work, "encoders", "minilm-l6-shaped-classifier")
	b.progress("write transformers of all-MiniLM-L6-v2's shape")
	if err := onnxfixture.WriteBertEncoder(encoder, EncoderShape); err != nil {
		return nil, err
	}
	if err := onnxfixture.WriteBertClassifier(classifier, EncoderShape, commitlabeler.Default().Names()); err != nil {
		return nil, err
	}
	var rows []Row
	for _, kind := range EncoderKinds {
		out := filepath.Join(b.cfg.Work, "models", kind)
		args := b.trainArgs([]string{kind}, out, EncoderExamples)
		if kind == classify.KindTransformer {
			args = append(args, "--import", classifier)
		} else {
			args = append(args, "--encoder", encoder)
		}
		b.progress("train %s on %s commits", kind, thousands(EncoderExamples))
		u, counts, err := RunPhaseCommand(ctx, b.cfg.Train, args...)
		if err != nil {
			return nil, err
		}
		b.models = append(b.models, trainedModel{kind, filepath.Join(out, kind)})
		rows = append(rows, EncoderRow(kind, u, counts))
	}
	return rows, nil
}

// EncoderRow reports an encoder kind's run on EncoderShape: its usage,
// its time per commit and that time over the whole corpus.
func EncoderRow(kind string, u Usage, counts pipeline.Counts) Row {
	n := counts[pipeline.CountExamples]
	shape := fmt.Sprintf("all-MiniLM-L6-v2's shape: %d layers, %d wide, %d heads", EncoderShape.Layers, EncoderShape.Hidden, EncoderShape.Heads)
	r := Row{What: fmt.Sprintf("training embed_mlp on %s commits with a sentence encoder of %s", thousands(int(n)), shape),
		Note: "each commit encoded once (the training's embedding cache), then the MLP head's 4 threshold folds + final fit"}
	if kind == classify.KindTransformer {
		r.What = fmt.Sprintf("importing a transformer classifier of %s, scored on %s commits", shape, thousands(int(n)))
		r.Note = "`train train --model transformer --import DIR`: nothing to train; the validation commits and every commit out of fold are scored to tune thresholds"
	}
	perCommit := u.Wall.Seconds() / float64(max(n, 1))
	whole := n + counts[pipeline.CountSampledOut]
	r.Result = u.String()
	r.Reference = fmt.Sprintf("%.0f ms per commit; the whole corpus (%s commits) at that rate: %.1f h", perCommit*1000, thousands(int(whole)), perCommit*float64(whole)/3600)
	r.Note += "; own process; random weights: cost, not quality"
	return r
}
