package classify

import (
	"context"
	"fmt"
	"slices"
)

// AuditC is the strength of the repository models that audit a history.
const AuditC = 16

// AuditRepository scores every commit of a repository's labeled history
// with a repository model learned from the global model and the rest of
// the history only: the history, ordered by time, is cut into folds
// contiguous blocks and each block is scored by a model fitted on the
// others. A commit's own declared label never votes on its prediction, so
// a confident disagreement is worth a maintainer's look. It returns the
// examples scored (those whose first label the global model knows, in
// time order) and their outcomes.
func AuditRepository(ctx context.Context, global Model, history []Example, folds int) ([]Example, []Scored, error) {
	base, ok := tfidfBase(global)
	if !ok {
		return nil, nil, fmt.Errorf("audit: the global model is %s: %w", global.Meta().Kind, ErrNotLearnable)
	}
	if err := base.readParameters(); err != nil {
		return nil, nil, fmt.Errorf("audit: %w", err)
	}
	labels := global.Meta().Labels
	examples := orderedHistory(history, labels)
	if folds < 2 || len(examples) < folds {
		return nil, nil, fmt.Errorf("audit: %d labeled commits cannot be cut into %d folds", len(examples), folds)
	}
	raw := hashExamples(ctx, examples, labels, base.cfg)
	prior := repositoryPrior{model: base, k: len(labels), classWeightPower: DefaultLearnClassWeightPower}
	out := make([]Scored, len(examples))
	for f := range folds {
		lo, hi := f*len(raw)/folds, (f+1)*len(raw)/folds
		rest := append(slices.Clone(raw[:lo]), raw[hi:]...)
		fit, err := prior.fit(ctx, rest, AuditC)
		if err != nil {
			return nil, nil, fmt.Errorf("audit: fold %d of %d: %w", f+1, folds, err)
		}
		for i := lo; i < hi; i++ {
			out[i] = Scored{Truth: examples[i].Labels, Probabilities: fit.probabilities(raw[i].SparseVector, len(labels))}
		}
	}
	return examples, out, nil
}
