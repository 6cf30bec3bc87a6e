// Package finetune_test runs scripts/finetune/finetune.py on a few hundred
// commits and a tiny encoder, and imports and serves what it writes. It
// runs where the script's dependencies are installed (`make transformer`
// installs them into FinetuneVenv) and skips with the reason elsewhere.
package finetune_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/commit-labeler/commit-labeler/classify"
	"github.com/commit-labeler/commit-labeler/internal/onnxfixture"
	"github.com/commit-labeler/commit-labeler/pipeline"
)

// python returns the interpreter that has the script's dependencies:
// $FINETUNE_PYTHON, else the virtualenv `make transformer` installs.
func python(t *testing.T) string {
	t.Helper()
	py := os.Getenv("FINETUNE_PYTHON")
	if py == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			t.Skipf("no home directory for the fine-tuning virtualenv: %v", err)
		}
		py = filepath.Join(home, ".cache", "commit-labeler", "finetune-venv", "bin", "python")
	}
	if out, err := exec.Command(py, "-c", "import torch, onnx2torch, onnx, onnxruntime, tokenizers").CombinedOutput(); err != nil {
		t.Skipf("the fine-tuning dependencies are not installed (make transformer installs them; or set FINETUNE_PYTHON): %s: %v: %s", py, err, out)
	}
	return py
}

// corpus are commits of three training repositories and one validation
// repository whose words and paths tell their label.
func corpus() (train, valid []classify.Example) {
	kinds := []struct {
		label, subject, path string
	}{
		{"feat", "add the %s feature", "src/feature%d.go"},
		{"fix", "fix the %s bug", "src/parser%d.go"},
		{"docs", "update the %s docs", "docs/readme%d.md"},
	}
	words := []string{"config", "cache", "token", "queue", "server", "client", "layout", "theme", "plugin", "index"}
	for r, repo := range []string{"org/one", "org/two", "org/three", "org/valid"} {
		for i := range 90 {
			k := kinds[i%len(kinds)]
			c := classify.Commit{Subject: fmt.Sprintf(k.subject, words[i%len(words)]),
				Files: []classify.File{{Path: fmt.Sprintf(k.path, i), Status: "M", Additions: 3, Deletions: 1}}, FilesChanged: 1, Additions: 3, Deletions: 1}
			f := classify.BuildFeatures(c)
			e := classify.Example{ID: fmt.Sprintf("%s@%d", repo, i), Repo: repo, Features: &f, Labels: []string{k.label}}
			if r == 3 {
				valid = append(valid, e)
			} else {
				train = append(train, e)
			}
		}
	}
	return train, valid
}

func writeTexts(t *testing.T, path string, train, valid []classify.Example) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	enc := json.NewEncoder(f)
	for _, set := range []struct {
		examples []classify.Example
		valid    bool
	}{{train, false}, {valid, true}} {
		for _, e := range set.examples {
			r := pipeline.TextRecord{ID: e.ID, Repo: e.Repo, Labels: e.Labels, Text: classify.SubjectPathsText(e.Features), Valid: set.valid}
			if err := enc.Encode(r); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// fixture writes a tiny encoder and the texts of corpus into work.
func fixture(t *testing.T, work string) (encoder, texts string, train, valid []classify.Example) {
	t.Helper()
	encoder = filepath.Join(work, "encoder")
	if err := onnxfixture.WriteTinyEncoderFixture(encoder); err != nil {
		t.Fatal(err)
	}
	train, valid = corpus()
	texts = filepath.Join(work, "texts.jsonl")
	writeTexts(t, texts, train, valid)
	return encoder, texts, train, valid
}

// TestFinetuneImportsAndServes trains each way the script offers: end to
// end, and SetFit's pairs then a head on the frozen encoder.
func TestFinetuneImportsAndServes(t *testing.T) {
	py := python(t)
	if err := classify.InitRuntime(); err != nil {
		t.Skipf("ONNX Runtime: %v", err)
	}
	for _, method := range []struct {
		name  string
		flags []string
	}{
		{"finetune", []string{"--epochs", "4"}},
		{"setfit", []string{"--setfit-pairs", "800", "--batch", "16"}},
	} {
		t.Run(method.name, func(t *testing.T) {
			importAndServe(t, py, method.flags)
		})
	}
}

func importAndServe(t *testing.T, py string, flags []string) {
	work := t.TempDir()
	encoder, texts, train, valid := fixture(t, work)
	out := filepath.Join(work, "finetuned")
	cmd := exec.Command(py, append([]string{"finetune.py", "--encoder", encoder, "--texts", texts, "--labels", "../../labels.json",
		"--out", out, "--max-examples", "0", "--max-length", "32", "--lr-encoder", "1e-3", "--lr-head", "1e-2", "--threads", "1"}, flags...)...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", cmd, err, b)
	}

	dir := filepath.Join(work, "model")
	in := classify.TrainInput{Labels: []string{"feat", "fix", "docs"}, Train: train, Valid: valid, Options: classify.TrainOptions{Import: out}}
	meta, err := classify.Train(t.Context(), classify.KindTransformer, in, dir)
	if err != nil {
		t.Fatal(err)
	}
	// --max-examples 0 trains on every training commit: the script's
	// fingerprint of them is Go's.
	if meta.Fingerprint != classify.Fingerprint(train) || meta.TrainExamples != len(train) ||
		!slices.Equal(meta.TrainRepos, []string{"org/one", "org/three", "org/two"}) {
		t.Errorf("model.json trained on %s (%d commits of %v), want %s (%d commits of the three training repositories)",
			meta.Fingerprint, meta.TrainExamples, meta.TrainRepos, classify.Fingerprint(train), len(train))
	}
	if !slices.Equal(meta.Labels, []string{"feat", "fix", "docs"}) || meta.Metrics == nil {
		t.Fatalf("labels %v, metrics %+v: want the corpus's labels in labels.json's order, scored", meta.Labels, meta.Metrics)
	}
	// Words and paths tell the label apart; a fine-tuned model learns them.
	if meta.Metrics.MacroF1 < 0.7 {
		t.Errorf("macro-F1 %.3f on the validation repository, want ≥ 0.7 (chance: 0.33)", meta.Metrics.MacroF1)
	}
	m, err := classify.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	probs, err := m.Probabilities(t.Context(), []*classify.Features{valid[0].Features})
	if err != nil {
		t.Fatal(err)
	}
	var sum float64
	for _, p := range probs[0] {
		sum += float64(p)
	}
	if math.Abs(sum-1) > 1e-4 {
		t.Errorf("probabilities %v sum to %v", probs[0], sum)
	}
}

// TestFinetuneResumesFromItsCheckpoint cuts a run off in its second epoch
// and runs it again: the resumed run ends with the model an
// uncut run makes.
func TestFinetuneResumesFromItsCheckpoint(t *testing.T) {
	py := python(t)
	work := t.TempDir()
	encoder, texts, _, _ := fixture(t, work)
	finetune := func(out string, extra ...string) *exec.Cmd {
		args := append([]string{"finetune.py", "--encoder", encoder, "--texts", texts, "--labels", "../../labels.json",
			"--out", filepath.Join(work, out), "--max-examples", "0", "--epochs", "2", "--batch", "16", "--max-length", "32", "--threads", "1"}, extra...)
		return exec.Command(py, args...)
	}
	if b, err := finetune("uncut").CombinedOutput(); err != nil {
		t.Fatalf("uncut run: %v\n%s", err, b)
	}

	checkpoint := filepath.Join(work, "state.pt")
	cut := finetune("resumed", "--checkpoint", checkpoint, "--checkpoint-every", "0")
	stderr, err := cut.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cut.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(stderr)
	for lines.Scan() && !strings.Contains(lines.Text(), "checkpoint at epoch 2 step 20 ") {
	}
	if err := cut.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cut.Wait() // killed on purpose
	b, err := finetune("resumed", "--checkpoint", checkpoint, "--checkpoint-every", "0").CombinedOutput()
	if err != nil {
		t.Fatalf("resumed run: %v\n%s", err, b)
	}
	if !strings.Contains(string(b), "resuming "+checkpoint+" at epoch 2 step 20") {
		t.Fatalf("the second run did not resume from step 20 (of the second epoch):\n%s", b)
	}
	want, err := os.ReadFile(filepath.Join(work, "uncut", "model.onnx"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(work, "resumed", "model.onnx"))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Error("the resumed run's model differs from the uncut run's")
	}
}
