// Package decision decides the labels the bot applies to a commit or a
// pull request: a Conventional Commits title decides by itself, the model
// the rest, under the model's thresholds or a repository's (precision:,
// threshold:, thresholds:, max_labels: of .github/commit-labeler.yml). The
// bot's handlers, the Action and `train classify` all call Decide, so that
// what the command line shows is what the bot does.
package decision

import (
	"context"
	"fmt"
	"strings"

	commitlabeler "github.com/commit-labeler/commit-labeler"
	"github.com/commit-labeler/commit-labeler/classify"
	"github.com/commit-labeler/commit-labeler/repoconfig"
)

// Model is a served model: classify.Classifier.
type Model interface {
	// Classify returns one prediction per commit, in order.
	Classify(ctx context.Context, commits []classify.Commit) ([]classify.Prediction, error)
	// Meta is the model's model.json, whose thresholds an abstention is
	// explained against.
	Meta() *classify.Meta
}

// Decision is what the bot does with one commit or pull request.
type Decision struct {
	// Labels are the labels applied, most probable first, at most the
	// repository's max_labels; empty when the model abstains.
	Labels []classify.LabelScore `json:"labels"`
	// Scores are every label's probability, most probable first: the
	// model's, or the title rule's labels at 1.
	Scores []classify.LabelScore `json:"scores"`
	// Abstain is set when no label is applied.
	Abstain bool `json:"abstain"`
	// Source says what decided: classify.SourceTitle or classify.SourceModel.
	Source string `json:"source"`
	// Header is the Conventional Commits header the title rule read, its
	// description elided ("fix(parser): …"); empty for a model decision.
	Header string `json:"header,omitempty"`
	// Closest is, when the model abstains, the label that came closest to
	// its threshold.
	Closest *Shortfall `json:"closest,omitempty"`
	// Reasons are the features behind the model's top label, strongest
	// first (linear models).
	Reasons []classify.Reason `json:"reasons,omitempty"`
	// Explanation says in words what decided: "Decided by the title rule:
	// `fix(parser): …` → fix", "no label reached its threshold: closest
	// fix 0.41 < 0.55".
	Explanation string `json:"explanation"`
}

// Decide decides each commit's labels: a Conventional Commits subject
// by the title rule, whatever the thresholds; the others by model, in one
// call, through cfg.Select. cfg is the repository's configuration with its
// precision resolved against model (repoconfig.Config.WithModel).
func Decide(ctx context.Context, model Model, vocab *commitlabeler.Vocabulary, cfg repoconfig.Config, commits []classify.Commit) ([]Decision, error) {
	out := make([]Decision, len(commits))
	var rest []classify.Commit
	var restAt []int
	for i, c := range commits {
		if h, ok := classify.ParseHeader(c.Subject); ok {
			out[i] = byTitle(h, vocab, cfg)
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
		out[restAt[j]] = byModel(p, model.Meta(), cfg)
	}
	return out, nil
}

// byTitle is the decision of a Conventional Commits header: its labels at
// confidence 1, up to max_labels.
func byTitle(h classify.Header, vocab *commitlabeler.Vocabulary, cfg repoconfig.Config) Decision {
	p := classify.Prediction{Source: classify.SourceTitle}
	for _, l := range h.Labels(vocab) {
		p.Labels = append(p.Labels, classify.LabelScore{Label: l, Probability: 1})
	}
	p.Scores = p.Labels
	d := Decision{Labels: cfg.Select(p), Scores: p.Scores, Source: classify.SourceTitle, Header: h.Quote}
	d.Explanation = fmt.Sprintf("Decided by the title rule: `%s` → %s", h.Quote, strings.Join(names(d.Labels), ", "))
	return d
}

// byModel is the decision of a model's prediction under the repository's
// thresholds.
func byModel(p classify.Prediction, meta *classify.Meta, cfg repoconfig.Config) Decision {
	d := Decision{Labels: cfg.Select(p), Scores: p.Scores, Source: classify.SourceModel, Reasons: p.Reasons}
	if len(d.Labels) > 0 {
		parts := make([]string, len(d.Labels))
		for i, l := range d.Labels {
			parts[i] = fmt.Sprintf("%s %.2f ≥ %.2f", l.Label, l.Probability, thresholdOf(l.Label, meta, cfg))
		}
		d.Explanation = "Decided by the model: " + strings.Join(parts, ", ")
		return d
	}
	d.Labels = []classify.LabelScore{} // "labels": [] rather than null for JSON readers
	d.Abstain = true
	d.Closest = closest(p.Scores, meta, cfg)
	d.Explanation = d.Closest.Explain()
	return d
}

func names(labels []classify.LabelScore) []string {
	out := make([]string, len(labels))
	for i, l := range labels {
		out[i] = l.Label
	}
	return out
}
