package webhook

import (
	"context"
	"fmt"

	commitlabeler "github.com/commit-labeler/commit-labeler"
	"github.com/commit-labeler/commit-labeler/classify"
)

// Classifier predicts labels for commits or pull requests (a model).
type Classifier interface {
	// Classify returns one prediction per commit, in order.
	Classify(ctx context.Context, commits []classify.Commit) ([]classify.Prediction, error)
}

// predict decides each commit's labels: a Conventional Commits subject
// decides directly (source title, confidence 1); the classifier decides the
// others, in one call.
func predict(ctx context.Context, model Classifier, vocab *commitlabeler.Vocabulary, commits []classify.Commit) ([]classify.Prediction, error) {
	out := make([]classify.Prediction, len(commits))
	var rest []classify.Commit
	var restAt []int
	for i, c := range commits {
		if h, ok := classify.ParseHeader(c.Subject); ok {
			out[i] = titlePrediction(h, vocab)
			continue
		}
		rest = append(rest, c)
		restAt = append(restAt, i)
	}
	if len(rest) == 0 {
		return out, nil
	}
	preds, err := model.Classify(ctx, rest)
	if err != nil {
		return nil, fmt.Errorf("classify %d commits: %w", len(rest), err)
	}
	if len(preds) != len(rest) {
		return nil, fmt.Errorf("classifier returned %d predictions for %d commits", len(preds), len(rest))
	}
	for j, p := range preds {
		p.Source = classify.SourceModel
		out[restAt[j]] = p
	}
	return out, nil
}

// servingModel returns the model labeling repo, and a release to call
// once done with it: the repository's own model where the learning worker
// published an accepted one, else the global model.
func (e *Events) servingModel(ctx context.Context, repo string) (*ServedModel, func()) {
	if e.repoModels != nil {
		if m, release := e.repoModels.acquire(ctx, repo); m != nil {
			return m, release
		}
	}
	return &ServedModel{Classifier: e.model}, func() {}
}

// classify predicts the commits' labels with model (predict) and counts
// the labels predicted in the metrics.
func (e *Events) classify(ctx context.Context, model Classifier, commits []classify.Commit) ([]classify.Prediction, error) {
	preds, err := predict(ctx, model, e.vocab, commits)
	if err != nil || e.metrics == nil {
		return preds, err
	}
	for _, p := range preds {
		for _, l := range p.Labels {
			e.metrics.Classifications.WithLabelValues(l.Label).Inc()
		}
	}
	return preds, nil
}

// titlePrediction is the prediction a Conventional Commits header makes.
func titlePrediction(h classify.Header, vocab *commitlabeler.Vocabulary) classify.Prediction {
	p := classify.Prediction{Source: classify.SourceTitle}
	for _, l := range h.Labels(vocab) {
		p.Labels = append(p.Labels, classify.LabelScore{Label: l, Probability: 1})
	}
	p.Scores = p.Labels
	return p
}
