package webhook

import (
	"context"

	commitlabeler "github.com/commit-labeler/commit-labeler"
	"github.com/commit-labeler/commit-labeler/classify"
	"github.com/commit-labeler/commit-labeler/decision"
	"github.com/commit-labeler/commit-labeler/repoconfig"
)

// Classifier is a served model (classify.Classifier).
type Classifier = decision.Model

// modelServer serves each repository its model and decides labels with it.
type modelServer struct {
	// global labels repositories without a model of their own.
	global Classifier
	// repos serves repositories their own models (nil: none).
	repos *RepositoryModels
	vocab *commitlabeler.Vocabulary
	// counter counts the labels decided (nil: none).
	counter ClassificationCounter
}

// ClassificationCounter counts the labels the models decide
// (delivery.Metrics, whose registry the bot serves).
type ClassificationCounter interface {
	CountClassification(label string)
}

// serving returns the model labeling repo, and a release to call
// once done with it: the repository's own model where the learning worker
// published an accepted one, else the global model.
func (m *modelServer) serving(ctx context.Context, repo string) (*ServedModel, func()) {
	if m.repos != nil {
		if served, release := m.repos.acquire(ctx, repo); served != nil {
			return served, release
		}
	}
	return &ServedModel{Classifier: m.global}, func() {}
}

// classify decides the commits' labels with model under cfg
// (decision.Decide, as `train classify` does) and counts the labels
// applied.
func (m *modelServer) classify(ctx context.Context, model Classifier, cfg repoconfig.Config, commits []classify.Commit) ([]decision.Decision, error) {
	decisions, err := decision.Decide(ctx, model, m.vocab, cfg, commits)
	if err != nil || m.counter == nil {
		return decisions, err
	}
	for _, d := range decisions {
		for _, l := range d.Labels {
			m.counter.CountClassification(l.Label)
		}
	}
	return decisions, nil
}
