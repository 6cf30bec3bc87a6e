package pipeline

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/commit-labeler/commit-labeler/classify"
)

// ModelSummary is one trained model's validation scores, from its model.json.
type ModelSummary struct {
	// Name is the model's directory under the models directory.
	Name          string   `json:"name"`
	Kind          string   `json:"kind"`
	Labels        []string `json:"labels"`
	TrainExamples int      `json:"train_examples"`
	ValidExamples int      `json:"valid_examples"`
	ValidRepos    []string `json:"valid_repos,omitempty"`
	// ThresholdFolds > 1 with no validation examples: the scores are the
	// out-of-fold predictions over that many repository folds.
	ThresholdFolds int     `json:"threshold_folds,omitempty"`
	TrainSeconds   float64 `json:"train_seconds"`
	// HasMetrics is false for a model.json without metrics; the scores
	// below are then zero.
	HasMetrics       bool    `json:"has_metrics"`
	MacroF1          float64 `json:"macro_f1"`
	Accuracy         float64 `json:"accuracy"`
	AppliedPrecision float64 `json:"applied_precision"`
	AppliedCoverage  float64 `json:"applied_coverage"`
	// CoverageAt are the shares of validation examples labeled at the
	// precision targets (classify.CoverageTargets).
	CoverageAt []classify.CoveragePoint `json:"coverage_at_precision"`
	// PerLabel lists every label of the model in Labels order.
	PerLabel []ModelLabel `json:"per_label"`
	// ConfusionLabels order the rows (first true label) and columns (top
	// prediction) of Confusion.
	ConfusionLabels []string `json:"confusion_labels"`
	Confusion       [][]int  `json:"confusion"`
}

// ModelLabel is one label's validation scores and threshold.
type ModelLabel struct {
	Label string `json:"label"`
	classify.LabelMetrics
	Threshold float64 `json:"threshold"`
}

// CoverageAtPrecision returns the coverage at the precision target p, or 0
// when the model reports none.
func (m ModelSummary) CoverageAtPrecision(p float64) float64 {
	for _, c := range m.CoverageAt {
		if c.Precision > p-1e-9 && c.Precision < p+1e-9 {
			return c.Coverage
		}
	}
	return 0
}

// readModels reads the model.json of every subdirectory of dir that has
// one, in name order. A missing dir has no models; a model.json that does
// not parse is an error naming its directory.
func readModels(dir string) ([]ModelSummary, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("models %s: %w", dir, err)
	}
	var out []ModelSummary
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		sub := filepath.Join(dir, e.Name())
		if _, err := os.Stat(filepath.Join(sub, classify.MetaFile)); errors.Is(err, fs.ErrNotExist) {
			continue
		}
		meta, err := classify.ReadMeta(sub)
		if err != nil {
			return nil, fmt.Errorf("model %s: %w", sub, err)
		}
		out = append(out, modelSummary(e.Name(), meta))
	}
	return out, nil
}

// modelSummary flattens a model.json into its summary.
func modelSummary(name string, meta *classify.Meta) ModelSummary {
	m := ModelSummary{
		Name: name, Kind: meta.Kind, Labels: meta.Labels,
		TrainExamples: meta.TrainExamples, ValidExamples: meta.ValidExamples,
		ValidRepos: meta.ValidRepos, ThresholdFolds: meta.ThresholdFolds, TrainSeconds: meta.TrainSeconds,
	}
	met := meta.Metrics
	for _, l := range meta.Labels {
		ml := ModelLabel{Label: l, Threshold: meta.Thresholds[l]}
		if met != nil {
			ml.LabelMetrics = met.PerLabel[l]
		}
		m.PerLabel = append(m.PerLabel, ml)
	}
	if met == nil {
		return m
	}
	m.HasMetrics = true
	m.MacroF1, m.Accuracy = met.MacroF1, met.Accuracy
	m.AppliedPrecision, m.AppliedCoverage = met.AppliedPrecision, met.AppliedCoverage
	m.CoverageAt = met.CoverageAt
	m.ConfusionLabels, m.Confusion = met.Labels, met.Confusion
	return m
}
