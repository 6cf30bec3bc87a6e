package classify_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	commitlabeler "github.com/commit-labeler/commit-labeler"
	"github.com/commit-labeler/commit-labeler/classify"
)

// syntheticExamples makes commits whose label shows in their words and
// files, spread over repositories so that validation can hold some out.
func syntheticExamples(n int) []classify.Example {
	kinds := []struct {
		label, subject, path string
	}{
		{"fix", "fix crash when parsing empty input", "src/parser.go"},
		{"docs", "update the installation guide", "docs/install.md"},
		{"test", "add cases for the tokenizer", "src/tokenizer_test.go"},
		{"ci", "run the linter on pull requests", ".github/workflows/lint.yml"},
		{"feat", "add export to csv", "src/export.go"},
	}
	out := make([]classify.Example, n)
	for i := range out {
		k := kinds[i%len(kinds)]
		c := classify.Commit{
			Subject: fmt.Sprintf("%s (#%d)", k.subject, i), FilesChanged: 1, Additions: 3 + i%5, Deletions: i % 3,
			Files: []classify.File{{Path: k.path, Status: "M", Additions: 3 + i%5, Deletions: i % 3}},
		}
		f := classify.BuildFeatures(c)
		out[i] = classify.Example{ID: fmt.Sprint(i), Repo: fmt.Sprintf("org/repo%d", i%6), Features: &f, Labels: []string{k.label}}
	}
	return out
}

func trainTfidf(t *testing.T) (string, *classify.Meta, []classify.Example) {
	t.Helper()
	requireRuntime(t)
	examples := syntheticExamples(300)
	train, valid := classify.SplitByRepo(examples, 0.34, 1)
	if len(train) == 0 || len(valid) == 0 {
		t.Fatalf("split %d/%d", len(train), len(valid))
	}
	dir := filepath.Join(t.TempDir(), "tfidf")
	meta, err := classify.Train(context.Background(), classify.KindTfidfLogreg, classify.TrainInput{
		Labels: commitlabeler.Default().Names(), Train: train, Valid: valid, Options: classify.TrainOptions{Seed: 1},
	}, dir)
	if err != nil {
		t.Fatal(err)
	}
	return dir, meta, valid
}

func TestTfidfTrainsExportsAndServes(t *testing.T) {
	dir, meta, valid := trainTfidf(t)
	for _, f := range []string{classify.ModelFile, classify.MetaFile} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Fatalf("model directory lacks %s: %v", f, err)
		}
	}
	if meta.Kind != classify.KindTfidfLogreg || meta.Metrics == nil || meta.Metrics.MacroF1 < 0.99 || meta.Fingerprint == "" {
		t.Fatalf("meta = %+v, metrics %+v", meta, meta.Metrics)
	}

	c, err := classify.LoadClassifier(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	preds, err := c.Classify(context.Background(), []classify.Commit{
		{Subject: "fix: crash when parsing empty input", Files: []classify.File{{Path: "src/parser.go", Status: "M", Additions: 2}}, FilesChanged: 1, Additions: 2},
		{Subject: "update the installation guide", Files: []classify.File{{Path: "docs/install.md", Status: "M", Additions: 4}}, FilesChanged: 1, Additions: 4},
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"fix", "docs"} {
		p := preds[i]
		sum := 0.0
		for _, s := range p.Scores {
			sum += s.Probability
		}
		if p.Scores[0].Label != want || math.Abs(sum-1) > 1e-4 || p.Source != classify.SourceModel {
			t.Errorf("prediction %d = %+v, want top %s and probabilities summing to 1", i, p, want)
		}
		if len(p.Reasons) == 0 || p.Reasons[0].Contribution <= 0 {
			t.Errorf("prediction %d has no explanation: %+v", i, p.Reasons)
		}
	}
	// The explanation names tokens of the input, e.g. the parser's path or the word "crash".
	var names []string
	for _, r := range preds[0].Reasons {
		names = append(names, r.Feature)
	}
	if !slices.ContainsFunc(names, func(n string) bool {
		return strings.Contains(n, "crash") || strings.Contains(n, "parser") || strings.Contains(n, "fix")
	}) {
		t.Errorf("fix explained by %v", names)
	}

	// Reloading from a moved directory gives the same answers (self-contained).
	moved := filepath.Join(t.TempDir(), "moved")
	if err := os.Rename(dir, moved); err != nil {
		t.Fatal(err)
	}
	m, err := classify.Load(moved)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	outcomes, err := classify.Score(context.Background(), m, valid)
	if err != nil {
		t.Fatal(err)
	}
	if ev := classify.Evaluate(meta.Labels, outcomes); ev.Accuracy < 0.99 {
		t.Fatalf("accuracy after reload %.3f", ev.Accuracy)
	}
}

func TestLoadRejectsBrokenModelDirectories(t *testing.T) {
	requireRuntime(t)
	empty := t.TempDir()
	if _, err := classify.Load(empty); err == nil || !strings.Contains(err.Error(), "model.json") {
		t.Errorf("empty directory: %v", err)
	}
	unknown := t.TempDir()
	os.WriteFile(filepath.Join(unknown, classify.MetaFile), []byte(`{"format":1,"kind":"nonesuch","labels":["fix"]}`), 0o644)
	if _, err := classify.Load(unknown); err == nil || !strings.Contains(err.Error(), "nonesuch") {
		t.Errorf("unknown kind: %v", err)
	}
	noGraph := t.TempDir()
	os.WriteFile(filepath.Join(noGraph, classify.MetaFile), []byte(`{"format":1,"kind":"tfidf_logreg","labels":["fix"],"config":{"dims":16}}`), 0o644)
	if _, err := classify.Load(noGraph); err == nil || !strings.Contains(err.Error(), "model.onnx") {
		t.Errorf("missing graph: %v", err)
	}
}

func TestThresholdsFromOutOfFoldPredictions(t *testing.T) {
	requireRuntime(t)
	examples := syntheticExamples(300)
	train, valid := classify.SplitByRepo(examples, 0.34, 1)
	dir := filepath.Join(t.TempDir(), "tfidf")
	meta, err := classify.Train(context.Background(), classify.KindTfidfLogreg, classify.TrainInput{
		Labels: commitlabeler.Default().Names(), Train: train, Valid: valid,
		Options: classify.TrainOptions{Seed: 1, ThresholdFolds: 3},
	}, dir)
	if err != nil {
		t.Fatal(err)
	}
	if meta.ThresholdFolds != 3 || meta.Thresholds["fix"] >= classify.NeverApply {
		t.Fatalf("folds %d, thresholds %v", meta.ThresholdFolds, meta.Thresholds)
	}
	// The fold models are thrown away: only the model is left beside dir.
	entries, _ := os.ReadDir(filepath.Dir(dir))
	if len(entries) != 1 {
		t.Fatalf("left behind: %v", entries)
	}
}

func TestOutOfFoldPredictionsScoreAModelWithoutValidation(t *testing.T) {
	requireRuntime(t)
	examples := syntheticExamples(300)
	meta, err := classify.Train(context.Background(), classify.KindTfidfLogreg, classify.TrainInput{
		Labels: commitlabeler.Default().Names(), Train: examples,
		Options: classify.TrainOptions{Seed: 1, ThresholdFolds: 3},
	}, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if meta.ValidExamples != 0 || meta.TrainExamples != len(examples) {
		t.Errorf("trained on %d, validated on %d; want all %d and none", meta.TrainExamples, meta.ValidExamples, len(examples))
	}
	if meta.Thresholds["fix"] >= classify.NeverApply || meta.Metrics == nil || meta.Metrics.N != len(examples) {
		t.Fatalf("thresholds %v, metrics %+v: want both from the out-of-fold predictions of every example", meta.Thresholds, meta.Metrics)
	}
}

// noisyExamples are syntheticExamples whose every fourth label is another
// label's, so that no model is sure of everything.
func noisyExamples(n int) []classify.Example {
	examples := syntheticExamples(n)
	for i := 0; i < n; i += 4 {
		examples[i].Labels = examples[(i+1)%n].Labels
	}
	return examples
}

func TestTfidfChoosesCByRepositoryGroupedCrossValidation(t *testing.T) {
	requireRuntime(t)
	meta, err := classify.Train(context.Background(), classify.KindTfidfLogreg, classify.TrainInput{
		Labels: commitlabeler.Default().Names(), Train: noisyExamples(300),
		Options: classify.TrainOptions{Seed: 1, CGrid: []float64{0.001, 10}},
	}, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var cfg classify.TfidfConfig
	if err := json.Unmarshal(meta.Config, &cfg); err != nil {
		t.Fatal(err)
	}
	if len(cfg.CrossValidation) != 2 || !cfg.Converged || cfg.Iterations == 0 {
		t.Fatalf("config %+v: want two cross-validated strengths and a converged fit", cfg)
	}
	best := cfg.CrossValidation[0]
	for _, s := range cfg.CrossValidation[1:] {
		if s.MacroF1 > best.MacroF1 {
			best = s
		}
	}
	if cfg.C != best.C || best.MacroF1 < 0.5 {
		t.Errorf("cross-validation %+v chose C=%v; want the best scoring", cfg.CrossValidation, cfg.C)
	}
}

// TestCalibratedModelServesWhatItsThresholdsWereTunedOn: the temperature
// and operating curve in model.json come from the out-of-fold predictions,
// and the loaded model's probabilities are the tempered ones.
func TestCalibratedModelServesWhatItsThresholdsWereTunedOn(t *testing.T) {
	requireRuntime(t)
	examples := noisyExamples(300)
	dir := t.TempDir()
	meta, err := classify.Train(context.Background(), classify.KindTfidfLogreg, classify.TrainInput{
		Labels: commitlabeler.Default().Names(), Train: examples,
		Options: classify.TrainOptions{Seed: 1, ThresholdFolds: 3},
	}, dir)
	if err != nil {
		t.Fatal(err)
	}
	if meta.Temperature <= 0 || meta.Temperature == 1 || len(meta.OperatingPoints) != len(classify.OperatingPrecisions) {
		t.Fatalf("temperature %v, %d operating points", meta.Temperature, len(meta.OperatingPoints))
	}
	m, err := classify.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	tempered, err := m.Probabilities(context.Background(), []*classify.Features{examples[1].Features})
	if err != nil {
		t.Fatal(err)
	}
	// The same graph without the calibration.
	raw := *meta
	raw.Temperature, raw.TopCalibration = 0, nil
	if err := classify.WriteMeta(dir, &raw); err != nil {
		t.Fatal(err)
	}
	plain, err := classify.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	untempered, err := plain.Probabilities(context.Background(), []*classify.Features{examples[1].Features})
	if err != nil {
		t.Fatal(err)
	}
	meta.Calibrate(untempered[0])
	for i := range tempered[0] {
		if math.Abs(float64(tempered[0][i]-untempered[0][i])) > 1e-6 {
			t.Fatalf("loaded model gives %v, the graph calibrated as model.json says %v", tempered[0], untempered[0])
		}
	}
}

// TestTfidfReadsTheDiffsWordsWhenAsked: two labels told apart only by the
// words their diffs add, which tfidf_logreg reads with DiffWords alone.
func TestTfidfReadsTheDiffsWordsWhenAsked(t *testing.T) {
	requireRuntime(t)
	examples := make([]classify.Example, 200)
	for i := range examples {
		label, added := "fix", "retryBackoff timeoutGuard"
		if i%2 == 0 {
			label, added = "perf", "cachedLookup memoize"
		}
		c := classify.Commit{Subject: "update the client", FilesChanged: 1, Additions: 1,
			Files: []classify.File{{Path: "src/client.go", Status: "M", Additions: 1}},
			Diff:  "diff --git a/src/client.go b/src/client.go\n@@ -1,1 +1,2 @@\n context\n+" + added + "\n"}
		f := classify.BuildFeatures(c)
		examples[i] = classify.Example{ID: fmt.Sprint(i), Repo: fmt.Sprintf("org/repo%d", i%6), Features: &f, Labels: []string{label}}
	}
	for _, diffWords := range []int{0, 50} {
		dir := t.TempDir()
		meta, err := classify.Train(context.Background(), classify.KindTfidfLogreg, classify.TrainInput{
			Labels: commitlabeler.Default().Names(), Train: examples, Options: classify.TrainOptions{Seed: 1, DiffWords: diffWords},
		}, dir)
		if err != nil {
			t.Fatal(err)
		}
		var cfg classify.TfidfConfig
		if err := json.Unmarshal(meta.Config, &cfg); err != nil {
			t.Fatal(err)
		}
		m, err := classify.Load(dir)
		if err != nil {
			t.Fatal(err)
		}
		scored, err := classify.Score(context.Background(), m, examples[:20])
		m.Close()
		if err != nil {
			t.Fatal(err)
		}
		if accuracy := classify.Evaluate(meta.Labels, scored).Accuracy; cfg.Tokens.DiffWords != diffWords || (diffWords > 0) != (accuracy > 0.9) {
			t.Errorf("diff words %d: model.json reads %d, accuracy %.2f; want it above 0.9 exactly when the diff is read", diffWords, cfg.Tokens.DiffWords, accuracy)
		}
	}
}
