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
	subjects, reviewed := map[string]string{}, map[string]bool{}
	history, err := repositoryExamples(ctx, env, repo, classify.LearnOptions{}.WithDefaults(), func(c *store.Commit, source string) {
		id := repo + "@" + c.SHA
		subjects[id], reviewed[id] = c.Subject, source == store.SourceHuman
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
