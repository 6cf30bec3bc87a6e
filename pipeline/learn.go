package pipeline

import (
	"context"

	"github.com/commit-labeler/commit-labeler/classify"
)

// LearnRepository learns repository repo's own model from its labeled
// history and the global model into dir (classify.LearnRepository): the
// one code path of the learning worker and of train eval --warm.
func LearnRepository(ctx context.Context, global classify.Model, repo string, history []classify.Example, dir string, opts classify.LearnOptions) (*classify.Learned, error) {
	opts.Repository = repo
	return classify.LearnRepository(ctx, global, history, dir, opts)
}
