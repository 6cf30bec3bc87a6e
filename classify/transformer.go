package classify

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	commitlabeler "github.com/commit-labeler/commit-labeler"
	"github.com/commit-labeler/commit-labeler/onnxgraph"
)

// KindTransformer imports a sequence-classification transformer fine-tuned
// elsewhere, so that it joins the ensemble.
const KindTransformer = "transformer"

func init() {
	Register(Kind{Name: KindTransformer, Train: trainTransformer, Load: loadTransformer, Fixed: true})
}

// Files of an imported transformer directory beside model.onnx and tokenizer.json.
const (
	// LabelMappingFile maps logit columns to labels: {"id2label": {"0": "feat", ...}}.
	LabelMappingFile = "label_mapping.json"
	// HFConfigFile is a Hugging Face config.json, whose id2label is read
	// when label_mapping.json is missing and whose max_position_embeddings
	// bounds the token length.
	HFConfigFile = "config.json"
	// TrainingFile, when present, says how the model was fine-tuned
	// (FineTuning), as scripts/finetune writes it.
	TrainingFile = "training.json"
)

// FineTuning is the part of an imported directory's training.json the
// importer reads: the text recipe and length the model was trained on,
// which serving must repeat, and its training data, which model.json
// records in place of the importing run's.
type FineTuning struct {
	// Text is the text recipe (TextRecipe).
	Text string `json:"text"`
	// MaxLength is the most tokens the model was trained on.
	MaxLength int `json:"max_length"`
	// Fingerprint is Fingerprint of the examples fine-tuned on.
	Fingerprint   string   `json:"fingerprint"`
	TrainExamples int      `json:"train_examples"`
	TrainRepos    []string `json:"train_repos"`
	TrainSeconds  float64  `json:"train_seconds"`
}

// readFineTuning reads dir/training.json; nil when it is missing.
func readFineTuning(dir string) (*FineTuning, error) {
	var ft FineTuning
	err := readJSON(filepath.Join(dir, TrainingFile), &ft)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if _, err := TextRecipe(ft.Text); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, TrainingFile), err)
	}
	return &ft, nil
}

// DefaultMaxTokens is how many tokens of a commit's InputText a transformer
// reads unless its config.json allows fewer.
const DefaultMaxTokens = 256

// TransformerConfig is a transformer model's configuration in model.json.
type TransformerConfig struct {
	// MaxLength is the most tokens of a commit's text the model reads.
	MaxLength int `json:"max_length"`
	// Text is the text recipe the model reads (TextRecipe; "" is TextInput).
	Text string `json:"text,omitempty"`
	// Files are the SHA-256 sums of the imported files.
	Files map[string]string `json:"files"`
}

// hfConfig is the part of a Hugging Face config.json the kinds read.
type hfConfig struct {
	ID2Label              map[string]string `json:"id2label"`
	MaxPositionEmbeddings int               `json:"max_position_embeddings"`
}

// readHFConfig reads dir/config.json; a missing file gives an empty config.
func readHFConfig(dir string) (hfConfig, error) {
	var c hfConfig
	err := readJSON(filepath.Join(dir, HFConfigFile), &c)
	if errors.Is(err, os.ErrNotExist) {
		return c, nil
	}
	return c, err
}

func readJSON(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// maxTokens is DefaultMaxTokens bounded by the model's positions.
func (c hfConfig) maxTokens() int {
	if c.MaxPositionEmbeddings > 0 {
		return min(DefaultMaxTokens, c.MaxPositionEmbeddings)
	}
	return DefaultMaxTokens
}

// importLabels reads the labels of the logit columns, in column order, from
// dir/label_mapping.json, else from the id2label of dir/config.json.
func importLabels(dir string, cfg hfConfig) ([]string, error) {
	path := filepath.Join(dir, LabelMappingFile)
	var mapping struct {
		ID2Label map[string]string `json:"id2label"`
	}
	err := readJSON(path, &mapping)
	switch {
	case errors.Is(err, os.ErrNotExist):
		path, mapping.ID2Label = filepath.Join(dir, HFConfigFile), cfg.ID2Label
		if len(mapping.ID2Label) == 0 {
			return nil, fmt.Errorf("%s: no %s and no id2label in %s", dir, LabelMappingFile, HFConfigFile)
		}
	case err != nil:
		return nil, err
	}
	labels := make([]string, len(mapping.ID2Label))
	for id, label := range mapping.ID2Label {
		i, err := strconv.Atoi(id)
		if err != nil || i < 0 || i >= len(labels) || labels[i] != "" || label == "" {
			return nil, fmt.Errorf("%s: id2label %q: %q: ids must number the labels 0 to %d", path, id, label, len(labels)-1)
		}
		labels[i] = label
	}
	return labels, nil
}

func trainTransformer(ctx context.Context, in TrainInput, dir string) error {
	src := in.Options.Import
	if src == "" {
		return errors.New("transformer: no directory to import (Options.Import)")
	}
	cfg, err := readHFConfig(src)
	if err != nil {
		return err
	}
	labels, err := importLabels(src, cfg)
	if err != nil {
		return err
	}
	// The model's labels are checked against the vocabulary, not against
	// in.Labels: a label the local commits happen not to carry is still one
	// the model may apply.
	vocabulary := commitlabeler.Default()
	for _, l := range labels {
		if !vocabulary.Has(l) {
			return fmt.Errorf("%s: label %q is not in labels.json (labels: %v)", src, l, vocabulary.Names())
		}
	}
	tuning, err := readFineTuning(src)
	if err != nil {
		return err
	}
	files, err := copyModelFiles(src, dir, ModelFile, TokenizerFile)
	if err != nil {
		return err
	}
	tc := TransformerConfig{MaxLength: cfg.maxTokens(), Files: files}
	meta := &Meta{Kind: KindTransformer, Labels: labels, FeaturesVersion: FeaturesVersion}
	if tuning != nil {
		tc.Text = tuning.Text
		if tuning.MaxLength > 0 {
			tc.MaxLength = min(tc.MaxLength, tuning.MaxLength)
		}
		meta.Fingerprint, meta.TrainExamples, meta.TrainRepos, meta.TrainSeconds =
			tuning.Fingerprint, tuning.TrainExamples, tuning.TrainRepos, tuning.TrainSeconds
	}
	if meta.Config, err = json.Marshal(tc); err != nil {
		return err
	}
	return WriteMeta(dir, meta)
}

// copyModelFiles copies the required files, and model.onnx.data,
// config.json, label_mapping.json and training.json when src has them, from src into dst, and returns
// the SHA-256 sum of each copied file.
func copyModelFiles(src, dst string, required ...string) (map[string]string, error) {
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return nil, err
	}
	sums := map[string]string{}
	for _, name := range append(required, ModelDataFile, HFConfigFile, LabelMappingFile, TrainingFile) {
		sum, err := copyFile(filepath.Join(src, name), filepath.Join(dst, name))
		if errors.Is(err, os.ErrNotExist) && !slices.Contains(required, name) {
			continue
		}
		if err != nil {
			return nil, err
		}
		sums[name] = sum
	}
	return sums, nil
}

// copyFile copies src to dst (through a temporary file renamed into place)
// and returns its SHA-256 sum.
func copyFile(src, dst string) (string, error) {
	in, err := os.Open(src)
	if err != nil {
		return "", err
	}
	defer in.Close()
	tmp := dst + ".tmp"
	out, err := os.Create(tmp)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	_, err = io.Copy(io.MultiWriter(out, h), in)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, dst)
	}
	if err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("copy %s: %w", src, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// transformerModel serves an imported transformer.
type transformerModel struct {
	meta   *Meta
	runner *textRunner
	text   func(*Features) string
}

func loadTransformer(dir string, meta *Meta) (Model, error) {
	var cfg TransformerConfig
	if err := json.Unmarshal(meta.Config, &cfg); err != nil {
		return nil, fmt.Errorf("%s: config: %w", MetaFile, err)
	}
	text, err := TextRecipe(cfg.Text)
	if err != nil {
		return nil, fmt.Errorf("%s: config: %w", MetaFile, err)
	}
	r, err := openTextRunner(dir, cfg.MaxLength, onnxgraph.OutputLogits)
	if err != nil {
		return nil, err
	}
	return &transformerModel{meta: meta, runner: r, text: text}, nil
}

func (m *transformerModel) Meta() *Meta  { return m.meta }
func (m *transformerModel) Close() error { return m.runner.close() }

// Probabilities runs the model on the commits' texts and turns each row of
// logits into probabilities by softmax.
func (m *transformerModel) Probabilities(ctx context.Context, features []*Features) ([][]float32, error) {
	if len(features) == 0 {
		return nil, nil
	}
	out, err := m.runner.run(ctx, texts(features, m.text))
	if err != nil {
		return nil, err
	}
	rows := make([][]float32, len(out))
	for i, o := range out {
		if len(o.shape) != 1 || o.shape[0] != int64(len(m.meta.Labels)) {
			return nil, fmt.Errorf("%s: logits of shape %v per text for %d labels", m.runner.session.path, o.shape, len(m.meta.Labels))
		}
		rows[i] = o.values
		softmax(rows[i])
	}
	return rows, nil
}
