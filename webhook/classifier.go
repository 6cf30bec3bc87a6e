package webhook

import (
	"context"

	"github.com/commit-labeler/commit-labeler/classify"
	"github.com/commit-labeler/commit-labeler/decision"
	"github.com/commit-labeler/commit-labeler/repoconfig"
)

// Classifier is a served model (classify.Classifier).
type Classifier = decision.Model

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

// classify decides the commits' labels with model under cfg
// (decision.Decide, as `train classify` does) and counts the labels
// applied in the metrics.
func (e *Events) classify(ctx context.Context, model Classifier, cfg repoconfig.Config, commits []classify.Commit) ([]decision.Decision, error) {
	decisions, err := decision.Decide(ctx, model, e.vocab, cfg, commits)
	if err != nil || e.metrics == nil {
		return decisions, err
	}
	for _, d := range decisions {
		for _, l := range d.Labels {
			e.metrics.Classifications.WithLabelValues(l.Label).Inc()
		}
	}
	return decisions, nil
}
