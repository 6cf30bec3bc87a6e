package classify

import (
	"context"
	"fmt"
	"sort"
)

// DefaultReasons is how many features a prediction's explanation names.
const DefaultReasons = 5

// Classifier serves a model: it builds features with the same code as
// training, applies the model's thresholds (abstaining below them) and
// explains linear models' decisions. It is safe for concurrent use.
type Classifier struct {
	model     Model
	meta      *Meta
	explainer Explainer
}

// NewClassifier serves m.
func NewClassifier(m Model) *Classifier {
	c := &Classifier{model: m, meta: m.Meta()}
	c.explainer, _ = m.(Explainer)
	return c
}

// LoadClassifier loads the model in dir and serves it.
func LoadClassifier(dir string) (*Classifier, error) {
	m, err := Load(dir)
	if err != nil {
		return nil, err
	}
	return NewClassifier(m), nil
}

// Meta returns the served model's model.json.
func (c *Classifier) Meta() *Meta { return c.meta }

// PointFor returns the served model's operating point for a precision
// (Meta.PointFor).
func (c *Classifier) PointFor(precision float64) (OperatingPoint, bool) {
	return c.meta.PointFor(precision)
}

// Classify predicts the labels of commits (or pull requests) from their
// content alone: any Conventional Commits header is masked first.
func (c *Classifier) Classify(ctx context.Context, commits []Commit) ([]Prediction, error) {
	feats := make([]*Features, len(commits))
	for i := range commits {
		f := BuildFeatures(commits[i])
		feats[i] = &f
	}
	return c.ClassifyFeatures(ctx, feats)
}

// ClassifyFeatures predicts from already built features.
func (c *Classifier) ClassifyFeatures(ctx context.Context, feats []*Features) ([]Prediction, error) {
	probs, err := c.model.Probabilities(ctx, feats)
	if err != nil {
		return nil, err
	}
	if len(probs) != len(feats) {
		return nil, fmt.Errorf("model %s returned %d rows for %d commits", c.meta.Kind, len(probs), len(feats))
	}
	out := make([]Prediction, len(feats))
	for i, p := range probs {
		pred := Prediction{Source: SourceModel, Scores: scores(c.meta.Labels, p)}
		pred.Labels = ApplyThresholds(c.meta.Labels, p, c.meta.Thresholds)
		pred.Abstain = len(pred.Labels) == 0
		if pred.Abstain {
			pred.Labels = []LabelScore{} // "labels": [] rather than null for JSON readers
		}
		if c.explainer != nil {
			pred.Reasons = c.explainer.Explain(feats[i], pred.Scores[0].Label, DefaultReasons)
		}
		out[i] = pred
	}
	return out, nil
}

// Close releases the model.
func (c *Classifier) Close() error { return c.model.Close() }

// scores pairs labels with probabilities, most probable first.
func scores(labels []string, probs []float32) []LabelScore {
	out := make([]LabelScore, len(labels))
	for i, l := range labels {
		out[i] = LabelScore{Label: l, Probability: float64(probs[i])}
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].Probability > out[b].Probability })
	return out
}
