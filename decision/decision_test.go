package decision

import (
	"context"
	"slices"
	"strings"
	"testing"

	commitlabeler "github.com/commit-labeler/commit-labeler"
	"github.com/commit-labeler/commit-labeler/classify"
	"github.com/commit-labeler/commit-labeler/repoconfig"
)

// fixedModel answers every commit with the same probabilities, choosing
// labels by its thresholds as classify.Classifier does; calls counts the
// commits it was asked about.
type fixedModel struct {
	meta   classify.Meta
	scores []classify.LabelScore
	calls  int
}

func (m *fixedModel) Classify(_ context.Context, commits []classify.Commit) ([]classify.Prediction, error) {
	m.calls += len(commits)
	out := make([]classify.Prediction, len(commits))
	for i := range out {
		out[i] = classify.Prediction{Source: classify.SourceModel, Scores: m.scores,
			Labels: classify.ApplyThresholdsToScores(m.scores, m.meta.Thresholds)}
	}
	return out, nil
}

func (m *fixedModel) Meta() *classify.Meta { return &m.meta }

func TestDecide(t *testing.T) {
	vocab := commitlabeler.Default()
	thresholds := map[string]float64{"fix": 0.55, "feat": 0.35, "docs": 0.5, "ci": classify.NeverApply}
	scores := func(s ...classify.LabelScore) []classify.LabelScore { return s }
	fix41 := scores(classify.LabelScore{Label: "fix", Probability: 0.41}, classify.LabelScore{Label: "docs", Probability: 0.3}, classify.LabelScore{Label: "feat", Probability: 0.2})
	curve := []classify.OperatingPoint{{Target: 0.9, Precision: 0.91, Coverage: 0.3, Thresholds: map[string]float64{"fix": 0.8, "docs": 0.9, "feat": 0.9}}}
	for _, tc := range []struct {
		name, config, subject string
		scores                []classify.LabelScore
		labels                []string
		source, explanation   string
		closest               *Shortfall
	}{
		{name: "title rule", subject: "fix(parser): handle empty input", labels: []string{"fix"},
			source: classify.SourceTitle, explanation: "Decided by the title rule: `fix(parser): …` → fix"},
		{name: "title rule for a label the model never applies", subject: "ci: run on ubuntu-24.04", scores: fix41, labels: []string{"ci"},
			source: classify.SourceTitle, explanation: "Decided by the title rule: `ci: …` → ci"},
		{name: "title rule quotes a revert", subject: `Revert "feat: add x"`, labels: []string{"revert"},
			source: classify.SourceTitle, explanation: "Decided by the title rule: `Revert \"…\"` → revert"},
		{name: "title rule under max_labels", config: "max_labels: 1\n", subject: "feat(i18n): add German", labels: []string{"feat"},
			source: classify.SourceTitle, explanation: "Decided by the title rule: `feat(i18n): …` → feat"},
		{name: "model", subject: "Fix crash", scores: scores(classify.LabelScore{Label: "fix", Probability: 0.9}), labels: []string{"fix"},
			source: classify.SourceModel, explanation: "Decided by the model: fix 0.90 ≥ 0.55"},
		{name: "abstention names the closest label", subject: "Fix crash", scores: fix41,
			source: classify.SourceModel, explanation: "no label reached its threshold: closest fix 0.41 < 0.55",
			closest: &Shortfall{Label: "fix", Probability: 0.41, Threshold: 0.55}},
		{name: "closest by the gap, not the probability", subject: "Fix crash",
			scores: scores(classify.LabelScore{Label: "fix", Probability: 0.41}, classify.LabelScore{Label: "docs", Probability: 0.45}),
			source: classify.SourceModel, explanation: "no label reached its threshold: closest docs 0.45 < 0.50",
			closest: &Shortfall{Label: "docs", Probability: 0.45, Threshold: 0.5}},
		{name: "a label never applied", subject: "Run CI",
			scores: scores(classify.LabelScore{Label: "ci", Probability: 0.96}, classify.LabelScore{Label: "fix", Probability: 0.02}),
			source: classify.SourceModel, explanation: "no label reached its threshold: closest ci 0.96 < 1 (never applied)",
			closest: &Shortfall{Label: "ci", Probability: 0.96, Threshold: 1}},
		{name: "the top label holds the others back", subject: "Fix crash",
			scores: scores(classify.LabelScore{Label: "fix", Probability: 0.5}, classify.LabelScore{Label: "feat", Probability: 0.4}),
			source: classify.SourceModel, explanation: "the most probable label did not reach its threshold: fix 0.50 < 0.55; the model applies no label then",
			closest: &Shortfall{Label: "fix", Probability: 0.5, Threshold: 0.55, TopHeldBack: true}},
		{name: "repository threshold", config: "thresholds:\n  fix: 0.4\n", subject: "Fix crash", scores: fix41, labels: []string{"fix"},
			source: classify.SourceModel, explanation: "Decided by the model: fix 0.41 ≥ 0.40"},
		{name: "repository threshold held back", config: "threshold: 0.95\n", subject: "Fix crash", scores: scores(classify.LabelScore{Label: "fix", Probability: 0.9}),
			source: classify.SourceModel, explanation: "no label reached its threshold: closest fix 0.90 < 0.95",
			closest: &Shortfall{Label: "fix", Probability: 0.9, Threshold: 0.95}},
		{name: "asked precision", config: "precision: 0.9\n", subject: "Fix crash", scores: scores(classify.LabelScore{Label: "fix", Probability: 0.7}),
			source: classify.SourceModel, explanation: "no label reached its threshold: closest fix 0.70 < 0.80",
			closest: &Shortfall{Label: "fix", Probability: 0.7, Threshold: 0.8}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := repoconfig.Parse([]byte(tc.config), vocab)
			if err != nil {
				t.Fatal(err)
			}
			model := &fixedModel{meta: classify.Meta{Thresholds: thresholds, OperatingPoints: curve}, scores: tc.scores}
			cfg = cfg.WithModel(model.Meta())
			got, err := Decide(context.Background(), model, vocab, cfg, []classify.Commit{{Subject: tc.subject}})
			if err != nil {
				t.Fatal(err)
			}
			d := got[0]
			var labels []string
			for _, l := range d.Labels {
				labels = append(labels, l.Label)
			}
			if !slices.Equal(labels, tc.labels) || d.Source != tc.source || d.Explanation != tc.explanation || d.Abstain != (len(tc.labels) == 0) {
				t.Errorf("got %v from %s (abstain %v): %q\nwant %v from %s: %q", labels, d.Source, d.Abstain, d.Explanation, tc.labels, tc.source, tc.explanation)
			}
			if (d.Closest == nil) != (tc.closest == nil) || d.Closest != nil && *d.Closest != *tc.closest {
				t.Errorf("closest %+v, want %+v", d.Closest, tc.closest)
			}
			if wantCalls := map[string]int{classify.SourceTitle: 0, classify.SourceModel: 1}[tc.source]; model.calls != wantCalls {
				t.Errorf("the model was asked about %d commits, want %d", model.calls, wantCalls)
			}
		})
	}
}

// shortModel answers fewer predictions than it was asked for.
type shortModel struct{ fixedModel }

func (m *shortModel) Classify(context.Context, []classify.Commit) ([]classify.Prediction, error) {
	return nil, nil
}

func TestDecideRefusesAShortAnswer(t *testing.T) {
	vocab := commitlabeler.Default()
	_, err := Decide(context.Background(), &shortModel{}, vocab, repoconfig.Default(vocab), []classify.Commit{{Subject: "Fix crash"}})
	if err == nil || !strings.Contains(err.Error(), "0 predictions for 1 commits") {
		t.Fatalf("err = %v, want one counting the predictions", err)
	}
}
