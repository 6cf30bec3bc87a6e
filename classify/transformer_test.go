package classify_test

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/commit-labeler/commit-labeler/classify"
	"github.com/commit-labeler/commit-labeler/internal/onnxfixture"
	"github.com/commit-labeler/commit-labeler/onnxgraph"
)

// importedLabels are the fixture classifier's labels, in an order other
// than labels.json's.
var importedLabels = []string{"docs", "fix", "feat", "chore"}

// writeImport writes a fine-tuned classifier fixture for labels and
// removes the named files from it.
func writeImport(t *testing.T, labels []string, remove ...string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "import")
	if err := onnxfixture.WriteTinyClassifierFixture(dir, labels); err != nil {
		t.Fatal(err)
	}
	for _, name := range remove {
		if err := os.Remove(filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestTransformerImport(t *testing.T) {
	requireRuntime(t)
	for _, tc := range []struct {
		name   string
		remove []string
	}{
		{"label_mapping.json", nil},
		{"config.json id2label", []string{onnxfixture.LabelMappingFile}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := writeImport(t, importedLabels, tc.remove...)
			dir := filepath.Join(t.TempDir(), "model")
			meta, err := classify.Train(t.Context(), classify.KindTransformer, handMadeInput(classify.TrainOptions{Import: src}), dir)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(meta.Labels, importedLabels) {
				t.Errorf("labels %v, want the model's order %v", meta.Labels, importedLabels)
			}
			probs := scoreModelDir(t, dir)
			checkSoftmaxOfLogits(t, src, probs, meta, classify.InputText, onnxfixture.MaxLength)
			checkSelfContained(t, dir, src, probs)
		})
	}
}

// checkSoftmaxOfLogits runs the imported model directly on the texts of
// the recipe, of at most maxLength tokens, and checks the probabilities are the softmax of its logits.
func checkSoftmaxOfLogits(t *testing.T, src string, probs [][]float32, meta *classify.Meta, recipe func(*classify.Features) string, maxLength int) {
	t.Helper()
	feats := handMadeExamples("c")
	texts := make([]string, len(feats))
	for i, e := range feats {
		texts[i] = recipe(e.Features)
	}
	inputs, _ := tokenizedTo(t, src, texts, maxLength, onnxgraph.InputIDs, onnxgraph.InputAttentionMask) // the fixture takes no token_type_ids
	out, err := openSession(t, src).Run(t.Context(), inputs...)
	if err != nil {
		t.Fatal(err)
	}
	logits := out[onnxgraph.OutputLogits]
	for i, p := range probs {
		row := logits.Row(i)
		var sum float64
		for _, l := range row {
			sum += math.Exp(float64(l))
		}
		want := make([]float32, len(row))
		for j, l := range row {
			want[j] = float32(math.Exp(float64(l)) / sum)
		}
		meta.Calibrate(want) // the calibration model.json carries
		for j := range row {
			if math.Abs(float64(p[j]-want[j])) > 1e-5 {
				t.Fatalf("example %d: probabilities %v, logits %v calibrated as model.json says", i, p, row)
			}
		}
	}
}

// fineTuned is a training.json as scripts/finetune writes it.
var fineTuned = classify.FineTuning{Text: classify.TextSubjectPaths, MaxLength: 16, Fingerprint: "f1e2",
	TrainExamples: 300, TrainRepos: []string{"org/one", "org/two"}, TrainSeconds: 12.5}

// writeFineTuned writes a fixture classifier with training.json.
func writeFineTuned(t *testing.T, ft classify.FineTuning) string {
	t.Helper()
	src := writeImport(t, importedLabels)
	data, err := json.Marshal(ft)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, classify.TrainingFile), data, 0o644); err != nil {
		t.Fatal(err)
	}
	return src
}

// TestTransformerImportFineTuned: a model fine-tuned by scripts/finetune
// is served with the text recipe and length it was trained on, and its
// model.json records the data it was trained on, not the importing run's,
// while calibration and scores come from the importing run's validation
// repositories.
func TestTransformerImportFineTuned(t *testing.T) {
	requireRuntime(t)
	src := writeFineTuned(t, fineTuned)
	dir := filepath.Join(t.TempDir(), "model")
	// Threshold folds would refit nothing: the imported model saw every
	// training repository.
	meta, err := classify.Train(t.Context(), classify.KindTransformer, handMadeInput(classify.TrainOptions{Import: src, ThresholdFolds: 4}), dir)
	if err != nil {
		t.Fatal(err)
	}
	if meta.ThresholdFolds != 0 {
		t.Errorf("thresholds tuned over %d folds, want on the validation repositories", meta.ThresholdFolds)
	}
	if meta.Fingerprint != fineTuned.Fingerprint || meta.TrainExamples != fineTuned.TrainExamples ||
		!slices.Equal(meta.TrainRepos, fineTuned.TrainRepos) || meta.TrainSeconds != fineTuned.TrainSeconds {
		t.Errorf("model.json trained on %s: %d examples of %v in %vs, want training.json's %+v",
			meta.Fingerprint, meta.TrainExamples, meta.TrainRepos, meta.TrainSeconds, fineTuned)
	}
	if !slices.Equal(meta.ValidRepos, []string{"b"}) || meta.Metrics == nil || meta.Temperature <= 0 {
		t.Errorf("validated on %v with metrics %+v and temperature %v: want the importing run's repository b, scored and calibrated",
			meta.ValidRepos, meta.Metrics, meta.Temperature)
	}
	var cfg classify.TransformerConfig
	if err := json.Unmarshal(meta.Config, &cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.Text != classify.TextSubjectPaths || cfg.MaxLength != fineTuned.MaxLength || cfg.Files[classify.TrainingFile] == "" {
		t.Errorf("config %+v: want text %s, max_length %d and training.json's sum", cfg, classify.TextSubjectPaths, fineTuned.MaxLength)
	}
	checkSoftmaxOfLogits(t, src, scoreModelDir(t, dir), meta, classify.SubjectPathsText, fineTuned.MaxLength)
}

func TestTransformerImportErrors(t *testing.T) {
	requireRuntime(t)
	encoder := t.TempDir() // gives last_hidden_state, not logits
	if err := onnxfixture.WriteTinyEncoderFixture(encoder); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(encoder, onnxfixture.LabelMappingFile), []byte(`{"id2label":{"0":"feat"}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	badMapping := writeImport(t, importedLabels)
	if err := os.WriteFile(filepath.Join(badMapping, onnxfixture.LabelMappingFile), []byte(`{"id2label":{"0":"feat","2":"fix"}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		src  string
		want []string
	}{
		{"no import", "", []string{"Options.Import"}},
		{"unknown label", writeImport(t, []string{"feat", "wip"}), []string{`"wip"`, "labels.json"}},
		{"missing tokenizer", writeImport(t, importedLabels, classify.TokenizerFile), []string{classify.TokenizerFile}},
		{"missing model", writeImport(t, importedLabels, classify.ModelFile), []string{classify.ModelFile}},
		{"no label mapping", writeImport(t, importedLabels, onnxfixture.LabelMappingFile, onnxfixture.ConfigFile),
			[]string{onnxfixture.LabelMappingFile, "id2label"}},
		{"ids with a gap", badMapping, []string{onnxfixture.LabelMappingFile, `"2"`}},
		{"wrong output", encoder, []string{classify.ModelFile, `"logits"`}},
		{"unknown text recipe", writeFineTuned(t, classify.FineTuning{Text: "diff"}), []string{classify.TrainingFile, `"diff"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := classify.Train(t.Context(), classify.KindTransformer, handMadeInput(classify.TrainOptions{Import: tc.src}), t.TempDir())
			wantErr(t, err, tc.want...)
		})
	}
}

// TestTransformerLoadErrors damages a trained directory: loading it names
// the file at fault.
func TestTransformerLoadErrors(t *testing.T) {
	requireRuntime(t)
	src := writeImport(t, importedLabels)
	for _, name := range []string{classify.TokenizerFile, classify.ModelFile} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if _, err := classify.Train(t.Context(), classify.KindTransformer, handMadeInput(classify.TrainOptions{Import: src}), dir); err != nil {
				t.Fatal(err)
			}
			if err := os.Remove(filepath.Join(dir, name)); err != nil {
				t.Fatal(err)
			}
			_, err := classify.Load(dir)
			wantErr(t, err, filepath.Join(dir, name))
		})
	}
}

// TestTransformerBatchesAsSingles: a transformer runs a batch's texts in
// groups of similar length; each commit's probabilities are those it gets
// alone, in the batch's order.
func TestTransformerBatchesAsSingles(t *testing.T) {
	requireRuntime(t)
	dir := filepath.Join(t.TempDir(), "model")
	if _, err := classify.Train(t.Context(), classify.KindTransformer, handMadeInput(classify.TrainOptions{Import: writeImport(t, importedLabels)}), dir); err != nil {
		t.Fatal(err)
	}
	m, err := classify.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	var batch []*classify.Features
	for i := range 70 {
		c := handMadeCommits[i%len(handMadeCommits)].c
		c.Body = strings.Repeat("fix the parser ", i%9)
		f := classify.BuildFeatures(c)
		batch = append(batch, &f)
	}
	all, err := m.Probabilities(t.Context(), batch)
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range batch {
		one, err := m.Probabilities(t.Context(), []*classify.Features{f})
		if err != nil {
			t.Fatal(err)
		}
		for j := range one[0] {
			if math.Abs(float64(one[0][j]-all[i][j])) > 1e-5 {
				t.Fatalf("commit %d: %v in the batch, %v alone", i, all[i], one[0])
			}
		}
	}
}
