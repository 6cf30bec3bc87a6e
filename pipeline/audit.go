package pipeline

import (
	"cmp"
	"context"
	"slices"

	"github.com/commit-labeler/commit-labeler/classify"
	"github.com/commit-labeler/commit-labeler/store"
)

// AuditRow is a commit whose declared label a confident out-of-fold
// prediction disagrees with.
type AuditRow struct {
	SHA     string `json:"sha"`
	Subject string `json:"subject"`
	// Declared is the commit's label (from its header); Predicted the
	// label the repository's other commits teach, with its probability.
	Declared   string  `json:"declared"`
	Predicted  string  `json:"predicted"`
	Confidence float64 `json:"confidence"`
}

// AuditFolds is how many time blocks an audit cuts the history into.
const AuditFolds = 5

// Audit lists the commits of repo whose declared label disagrees with a
// prediction of at least minConfidence by a model that did not learn from
// them (classify.AuditRepository), most confident first. Commits a
// maintainer labeled are the verdicts: they teach, and are not audited.
// It also returns how many commits were audited.
func Audit(ctx context.Context, env *Env, global classify.Model, repo string, minConfidence float64) ([]AuditRow, int, error) {
	effective, err := env.DB.EffectiveLabels(ctx)
	if err != nil {
		return nil, 0, err
	}
	human := make(map[int64]bool)
	labels := make(map[int64][]string, len(effective))
	for _, e := range effective {
		human[e.CommitID] = e.Source == store.SourceHuman
		for _, l := range e.Labels {
			labels[e.CommitID] = append(labels[e.CommitID], l.Label)
		}
	}
	var history []classify.Example
	subjects, reviewed := map[string]string{}, map[string]bool{}
	err = env.DB.ForEachCommit(ctx, store.CommitFilter{Repo: repo}, func(c *store.Commit) error {
		if ls := labels[c.ID]; len(ls) > 0 {
			f := classify.BuildFeatures(classifyCommit(c))
			id := repo + "@" + c.SHA
			history = append(history, classify.Example{ID: id, Repo: repo, Time: c.AuthoredUnix, Features: &f, Labels: ls})
			subjects[id], reviewed[id] = c.Subject, human[c.ID]
		}
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	examples, scored, err := classify.AuditRepository(ctx, global, history, AuditFolds)
	if err != nil {
		return nil, 0, err
	}
	labelNames := global.Meta().Labels
	var rows []AuditRow
	audited := 0
	for i, e := range examples {
		if reviewed[e.ID] {
			continue
		}
		audited++
		top := slices.Index(scored[i].Probabilities, slices.Max(scored[i].Probabilities))
		if p := float64(scored[i].Probabilities[top]); labelNames[top] != e.Labels[0] && p >= minConfidence {
			rows = append(rows, AuditRow{SHA: e.ID[len(repo)+1:], Subject: subjects[e.ID], Declared: e.Labels[0], Predicted: labelNames[top], Confidence: p})
		}
	}
	slices.SortStableFunc(rows, func(a, b AuditRow) int { return cmp.Compare(b.Confidence, a.Confidence) })
	return rows, audited, nil
}
