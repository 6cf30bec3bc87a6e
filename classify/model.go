package classify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
)

// Files of a model directory.
const (
	// ModelFile is the ONNX graph every model directory holds.
	ModelFile = "model.onnx"
	// ModelDataFile holds the graph's large tensors when they are split out.
	ModelDataFile = "model.onnx.data"
	// MetaFile describes the model: kind, labels, configuration, thresholds, metrics.
	MetaFile = "model.json"
)

// MetaFormat is the version of the model.json format.
const MetaFormat = 1

// Meta is a model directory's model.json.
type Meta struct {
	// Format is MetaFormat.
	Format int `json:"format"`
	// Kind names the registered model kind that loads the directory.
	Kind string `json:"kind"`
	// Labels are the model's outputs, in column order.
	Labels []string `json:"labels"`
	// FeaturesVersion is the FeaturesVersion the model was trained on.
	FeaturesVersion int `json:"features_version"`
	// Config is the kind's own configuration (feature namespaces, sizes, ...).
	Config json.RawMessage `json:"config,omitempty"`
	// Thresholds are the per-label probabilities above which a label is applied.
	Thresholds map[string]float64 `json:"thresholds"`
	// ThresholdTarget is the precision the thresholds were tuned for on validation data.
	ThresholdTarget float64 `json:"threshold_target,omitempty"`
	// ThresholdFolds, when set, is the number of repository folds whose
	// out-of-fold predictions the thresholds were tuned on.
	ThresholdFolds int `json:"threshold_folds,omitempty"`
	// Temperature, when set, rescales every probability the model returns
	// to softmax(log p / Temperature) (FitTemperature): the calibration
	// fitted on out-of-fold predictions. Thresholds apply to the rescaled
	// probabilities.
	Temperature float64 `json:"temperature,omitempty"`
	// TopCalibration, when set, then maps each label's top probability to
	// its out-of-fold precision (FitTopCalibration).
	TopCalibration map[string]TopCalibration `json:"top_calibration,omitempty"`
	// OperatingPoints are thresholds for each of OperatingPrecisions with
	// the precision and coverage they reach out of fold, so that a
	// repository can ask for a precision (Meta.PointFor).
	OperatingPoints []OperatingPoint `json:"operating_points,omitempty"`
	// Metrics are the model's scores on its validation data (repositories it
	// did not train on).
	Metrics *Metrics `json:"metrics,omitempty"`
	// Fingerprint identifies the training data (SHA-256 of its commit ids and labels).
	Fingerprint string `json:"fingerprint"`
	// TrainExamples and ValidExamples count the examples trained and validated on.
	TrainExamples int `json:"train_examples"`
	ValidExamples int `json:"valid_examples"`
	// ValidRepos are the repositories held out for validation.
	ValidRepos []string `json:"valid_repos,omitempty"`
	// TrainRepos are the repositories trained on, which an evaluation on
	// unseen repositories excludes.
	TrainRepos []string `json:"train_repos,omitempty"`
	// Learned, in a repository model, is how it was learned from the
	// global model and judged against it (LearnRepository).
	Learned *Learned `json:"learned,omitempty"`
	// TrainSeconds is the training time.
	TrainSeconds float64 `json:"train_seconds,omitempty"`
}

// ReadMeta reads dir/model.json.
func ReadMeta(dir string) (*Meta, error) {
	data, err := os.ReadFile(filepath.Join(dir, MetaFile))
	if err != nil {
		return nil, fmt.Errorf("model %s: %w", dir, err)
	}
	return ParseMeta(data)
}

// ParseMeta parses and checks a model.json document.
func ParseMeta(data []byte) (*Meta, error) {
	var m Meta
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", MetaFile, err)
	}
	switch {
	case m.Format != MetaFormat:
		return nil, fmt.Errorf("%s: format %d, want %d", MetaFile, m.Format, MetaFormat)
	case m.Kind == "":
		return nil, fmt.Errorf("%s: no kind", MetaFile)
	case len(m.Labels) == 0:
		return nil, fmt.Errorf("%s: no labels", MetaFile)
	}
	seen := make(map[string]bool, len(m.Labels))
	for _, l := range m.Labels {
		if l == "" || seen[l] {
			return nil, fmt.Errorf("%s: label %q empty or repeated", MetaFile, l)
		}
		seen[l] = true
	}
	if err := checkThresholds(seen, m.Thresholds); err != nil {
		return nil, err
	}
	for _, p := range m.OperatingPoints {
		if err := checkThresholds(seen, p.Thresholds); err != nil {
			return nil, fmt.Errorf("operating point %v: %w", p.Target, err)
		}
	}
	if m.Temperature < 0 {
		return nil, fmt.Errorf("%s: temperature %v is negative", MetaFile, m.Temperature)
	}
	for l, c := range m.TopCalibration {
		if !seen[l] || len(c.X) != len(c.Y) || !sort.Float64sAreSorted(c.X) || !sort.Float64sAreSorted(c.Y) {
			return nil, fmt.Errorf("%s: top calibration of %q: unknown label, or breakpoints unsorted or unpaired", MetaFile, l)
		}
	}
	return &m, nil
}

func checkThresholds(labels map[string]bool, thresholds map[string]float64) error {
	for l, t := range thresholds {
		if !labels[l] || t < 0 || t > 1 {
			return fmt.Errorf("%s: threshold %q=%v: unknown label or outside [0, 1]", MetaFile, l, t)
		}
	}
	return nil
}

// WriteMeta writes dir/model.json atomically.
func WriteMeta(dir string, m *Meta) error {
	m.Format = MetaFormat
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	tmp := filepath.Join(dir, MetaFile+".tmp")
	if err := os.WriteFile(tmp, append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("model %s: %w", dir, err)
	}
	return os.Rename(tmp, filepath.Join(dir, MetaFile))
}

// Model is a loaded model directory.
type Model interface {
	// Meta returns the model's model.json.
	Meta() *Meta
	// Probabilities returns, per commit, the probability of each label in
	// Meta().Labels order: the distribution of the top label.
	Probabilities(ctx context.Context, features []*Features) ([][]float32, error)
	// Close releases the model's ONNX Runtime sessions.
	Close() error
}

// Explainer is implemented by models that can name the input features
// behind a decision (linear models).
type Explainer interface {
	// Explain returns at most n features that pushed f toward label, strongest first.
	Explain(f *Features, label string, n int) []Reason
}

// Kind trains and loads one kind of model.
type Kind struct {
	// Name is the kind's name in model.json and on the command line.
	Name string
	// Train fits the model on in.Train (early-stopping or fitting weights on
	// in.Valid where the kind does) and writes model.onnx and a model.json
	// with Kind, Labels, FeaturesVersion and Config into dir. Train fills in
	// thresholds and metrics afterwards.
	Train func(ctx context.Context, in TrainInput, dir string) error
	// Load opens a model directory whose model.json names this kind.
	Load func(dir string, meta *Meta) (Model, error)
	// Fixed is set for a kind whose Train cannot fit its model anew on
	// other repositories (an ensemble of trained members, an imported
	// transformer): out-of-fold predictions would come from a model that
	// saw those repositories, so its thresholds are tuned on the
	// validation repositories alone (TrainOptions.ThresholdFolds is ignored).
	Fixed bool
}

var (
	kindsMu sync.RWMutex
	kinds   = map[string]Kind{}
)

// Register adds a model kind; it panics on a duplicate or incomplete kind
// (a programming error caught at start-up).
func Register(k Kind) {
	kindsMu.Lock()
	defer kindsMu.Unlock()
	if k.Name == "" || k.Train == nil || k.Load == nil {
		panic("classify: Register: incomplete kind " + k.Name)
	}
	if _, dup := kinds[k.Name]; dup {
		panic("classify: Register: kind " + k.Name + " registered twice")
	}
	kinds[k.Name] = k
}

// LookupKind returns the registered kind of that name.
func LookupKind(name string) (Kind, error) {
	kindsMu.RLock()
	defer kindsMu.RUnlock()
	k, ok := kinds[name]
	if !ok {
		return Kind{}, fmt.Errorf("unknown model kind %q (kinds: %v)", name, kindNamesLocked())
	}
	return k, nil
}

// KindNames lists the registered kinds.
func KindNames() []string {
	kindsMu.RLock()
	defer kindsMu.RUnlock()
	return kindNamesLocked()
}

func kindNamesLocked() []string {
	names := make([]string, 0, len(kinds))
	for n := range kinds {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// ErrNotModel is returned when a directory holds no model.json.
var ErrNotModel = errors.New("not a model directory (no model.json)")

// Load opens the model in dir, detecting its kind from model.json, and
// serves its probabilities calibrated as model.json says.
func Load(dir string) (Model, error) {
	m, err := loadUncalibrated(dir)
	if err != nil {
		return nil, err
	}
	if m.Meta().calibrated() {
		return calibrated{Model: m}, nil
	}
	return m, nil
}

// loadUncalibrated opens the model in dir as its graph scores: the
// probabilities before model.json's calibration.
func loadUncalibrated(dir string) (Model, error) {
	if _, err := os.Stat(filepath.Join(dir, MetaFile)); errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("model %s: %w", dir, ErrNotModel)
	}
	meta, err := ReadMeta(dir)
	if err != nil {
		return nil, err
	}
	k, err := LookupKind(meta.Kind)
	if err != nil {
		return nil, fmt.Errorf("model %s: %w", dir, err)
	}
	m, err := k.Load(dir, meta)
	if err != nil {
		return nil, fmt.Errorf("model %s (%s): %w", dir, meta.Kind, err)
	}
	return m, nil
}
