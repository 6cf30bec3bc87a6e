package classify_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	commitlabeler "github.com/commit-labeler/commit-labeler"
	"github.com/commit-labeler/commit-labeler/classify"
	"github.com/commit-labeler/commit-labeler/internal/fakeollama"
	"github.com/commit-labeler/commit-labeler/internal/onnxfixture"
	"github.com/commit-labeler/commit-labeler/onnxgraph"
)

// handMadeCommits are small commits of four labels.
var handMadeCommits = []struct {
	label string
	c     classify.Commit
}{
	{"fix", classify.Commit{Subject: "fix crash in parser", Files: []classify.File{{Path: "parser/parse.go", Status: "M", Additions: 3, Deletions: 1}}}},
	{"fix", classify.Commit{Subject: "handle nil pointer when the config is empty", Files: []classify.File{{Path: "config/load.go", Status: "M", Additions: 5, Deletions: 2}}}},
	{"docs", classify.Commit{Subject: "update README", Files: []classify.File{{Path: "README.md", Status: "M", Additions: 10, Deletions: 4}}}},
	{"docs", classify.Commit{Subject: "document the install steps", Body: "Explain how to install on Linux.", Files: []classify.File{{Path: "docs/install.md", Status: "A", Additions: 30}}}},
	{"chore", classify.Commit{Subject: "bump lodash from 4.17.20 to 4.17.21", AuthorIsBot: true, Files: []classify.File{{Path: "package-lock.json", Status: "M", Additions: 3, Deletions: 3}, {Path: "package.json", Status: "M", Additions: 1, Deletions: 1}}}},
	{"chore", classify.Commit{Subject: "release 1.2.0", Files: []classify.File{{Path: "CHANGELOG.md", Status: "M", Additions: 12}}}},
	{"feat", classify.Commit{Subject: "add dark mode to the settings page", Files: []classify.File{{Path: "src/settings/theme.ts", Status: "A", Additions: 80}}}},
	{"feat", classify.Commit{Subject: "support exporting reports as csv", Files: []classify.File{{Path: "src/export/csv.go", Status: "A", Additions: 120}, {Path: "src/export/csv_test.go", Status: "A", Additions: 60}}}},
}

// handMadeExamples are handMadeCommits as examples of repository repo.
func handMadeExamples(repo string) []classify.Example {
	out := make([]classify.Example, len(handMadeCommits))
	for i, hc := range handMadeCommits {
		f := classify.BuildFeatures(hc.c)
		out[i] = classify.Example{ID: fmt.Sprintf("%s/%d", repo, i), Repo: repo, Features: &f, Labels: []string{hc.label}}
	}
	return out
}

// handMadeInput trains on repository a and validates on repository b.
func handMadeInput(opts classify.TrainOptions) classify.TrainInput {
	return classify.TrainInput{Labels: commitlabeler.Default().Names(), Train: handMadeExamples("a"),
		Valid: handMadeExamples("b"), Options: opts}
}

// scoreModelDir loads dir, scores the hand-made examples and checks each
// row is a distribution over the model's labels.
func scoreModelDir(t *testing.T, dir string) [][]float32 {
	t.Helper()
	m, err := classify.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	outcomes, err := classify.Score(t.Context(), m, handMadeExamples("c"))
	if err != nil {
		t.Fatal(err)
	}
	probs := make([][]float32, len(outcomes))
	for i, o := range outcomes {
		if len(o.Probabilities) != len(m.Meta().Labels) {
			t.Fatalf("example %d: %d probabilities for %d labels", i, len(o.Probabilities), len(m.Meta().Labels))
		}
		var sum float64
		for _, p := range o.Probabilities {
			if p < 0 || p > 1 {
				t.Fatalf("example %d: probability %v", i, p)
			}
			sum += float64(p)
		}
		if math.Abs(sum-1) > 1e-5 {
			t.Fatalf("example %d: probabilities %v sum to %v", i, o.Probabilities, sum)
		}
		probs[i] = o.Probabilities
	}
	return probs
}

// checkSelfContained moves the model directory, removes the directory it
// was made from, and checks the moved model loads and scores as before.
func checkSelfContained(t *testing.T, dir, source string, want [][]float32) {
	t.Helper()
	if err := os.RemoveAll(source); err != nil {
		t.Fatal(err)
	}
	moved := filepath.Join(t.TempDir(), "moved")
	if err := os.Rename(dir, moved); err != nil {
		t.Fatal(err)
	}
	got := scoreModelDir(t, moved)
	for i := range want {
		for j := range want[i] {
			if math.Abs(float64(got[i][j]-want[i][j])) > 1e-6 {
				t.Fatalf("example %d after moving: %v, before: %v", i, got[i], want[i])
			}
		}
	}
}

// wantErr checks err is an error mentioning every one of parts.
func wantErr(t *testing.T, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one mentioning %q", parts)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("error %q does not mention %q", err, p)
		}
	}
}

func TestEmbedMLPWithONNXEncoder(t *testing.T) {
	requireRuntime(t)
	for _, pooling := range []string{classify.PoolMean, classify.PoolCLS} {
		t.Run(pooling, func(t *testing.T) {
			enc := filepath.Join(t.TempDir(), "encoder")
			if err := onnxfixture.WriteTinyEncoderFixture(enc); err != nil {
				t.Fatal(err)
			}
			dir := filepath.Join(t.TempDir(), "model")
			// As train --pooling asks.
			in := handMadeInput(classify.TrainOptions{Seed: 1, Encoder: enc, Pooling: pooling})
			if err := classify.TrainEmbedMLP(t.Context(), in, dir, classify.DefaultEmbedMLPConfig()); err != nil {
				t.Fatal(err)
			}
			meta, err := classify.ReadMeta(dir)
			if err != nil {
				t.Fatal(err)
			}
			var got classify.EmbedMLPConfig
			if err := json.Unmarshal(meta.Config, &got); err != nil {
				t.Fatal(err)
			}
			if got.Pooling != pooling || got.MaxLength != onnxfixture.MaxLength || got.Dim != onnxfixture.Hidden ||
				len(got.EncoderFiles[classify.ModelFile]) != 64 || len(got.EncoderFiles[classify.TokenizerFile]) != 64 {
				t.Errorf("config %s: want pooling %s, max length %d, dim %d and the encoder files' SHA-256",
					meta.Config, pooling, onnxfixture.MaxLength, onnxfixture.Hidden)
			}
			checkSelfContained(t, dir, enc, scoreModelDir(t, dir))
		})
	}
}

// TestEmbedMLPKindTrain goes through classify.Train and the Classifier.
func TestEmbedMLPKindTrain(t *testing.T) {
	requireRuntime(t)
	enc := t.TempDir()
	if err := onnxfixture.WriteTinyEncoderFixture(enc); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	meta, err := classify.Train(t.Context(), classify.KindEmbedMLP, handMadeInput(classify.TrainOptions{Encoder: enc}), dir)
	if err != nil {
		t.Fatal(err)
	}
	if meta.Metrics == nil || meta.Metrics.N != len(handMadeCommits) {
		t.Errorf("metrics %+v, want %d validation examples", meta.Metrics, len(handMadeCommits))
	}
	c, err := classify.LoadClassifier(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	preds, err := c.Classify(t.Context(), []classify.Commit{handMadeCommits[0].c, handMadeCommits[2].c})
	if err != nil {
		t.Fatal(err)
	}
	if len(preds) != 2 || len(preds[0].Scores) != len(meta.Labels) {
		t.Fatalf("predictions %+v", preds)
	}
}

func TestEmbedMLPWithOllama(t *testing.T) {
	requireRuntime(t)
	srv := fakeollama.New(t, nil)
	dir := t.TempDir()
	in := handMadeInput(classify.TrainOptions{OllamaHost: srv.URL, OllamaModel: "nomic-embed-text"})
	if _, err := classify.Train(t.Context(), classify.KindEmbedMLP, in, dir); err != nil {
		t.Fatal(err)
	}
	trained := len(srv.Embeds())
	scoreModelDir(t, dir)
	embeds := srv.Embeds()
	if len(embeds) <= trained {
		t.Fatalf("serving made no /api/embed request (%d during training, %d in all)", trained, len(embeds))
	}
	for _, e := range embeds {
		if e.Model != "nomic-embed-text" {
			t.Errorf("embed request for model %q", e.Model)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, classify.EncoderDir)); !os.IsNotExist(err) {
		t.Errorf("an Ollama model has an %s directory: %v", classify.EncoderDir, err)
	}
}

// TestEmbedMLPWithBertEncoder trains on an encoder of BERT's architecture
// (three inputs, attention) as onnxfixture.WriteBertEncoder writes it.
func TestEmbedMLPWithBertEncoder(t *testing.T) {
	requireRuntime(t)
	enc := t.TempDir()
	shape := onnxgraph.BertShape{TinyTransformer: onnxgraph.TinyTransformer{Vocab: len(onnxfixture.Vocabulary()), Hidden: 12, Positions: 32, Seed: 5},
		Layers: 2, Heads: 3, Intermediate: 24}
	if err := onnxfixture.WriteBertEncoder(enc, shape); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, err := classify.Train(t.Context(), classify.KindEmbedMLP, handMadeInput(classify.TrainOptions{Encoder: enc}), dir); err != nil {
		t.Fatal(err)
	}
	meta, err := classify.ReadMeta(dir)
	if err != nil {
		t.Fatal(err)
	}
	var cfg classify.EmbedMLPConfig
	if err := json.Unmarshal(meta.Config, &cfg); err != nil || cfg.Dim != 12 || cfg.MaxLength != 32 {
		t.Errorf("config %s (%v): want dim 12 and max length 32", meta.Config, err)
	}
	scoreModelDir(t, dir)
}

// TestTrainingEmbedsEachCommitOnce: the encoder is frozen, so the final
// fit, its validation and every threshold fold share one embedding of
// each commit.
func TestTrainingEmbedsEachCommitOnce(t *testing.T) {
	requireRuntime(t)
	srv := fakeollama.New(t, nil)
	in := classify.TrainInput{Labels: commitlabeler.Default().Names(),
		Options: classify.TrainOptions{OllamaHost: srv.URL, OllamaModel: "nomic-embed-text", ThresholdFolds: 4}}
	for _, repo := range []string{"a", "b", "c", "d", "e", "f"} {
		for i, hc := range handMadeCommits {
			c := hc.c
			c.Subject += " in " + repo
			f := classify.BuildFeatures(c)
			e := classify.Example{ID: fmt.Sprintf("%s/%d", repo, i), Repo: repo, Features: &f, Labels: []string{hc.label}}
			if repo == "f" {
				in.Valid = append(in.Valid, e)
			} else {
				in.Train = append(in.Train, e)
			}
		}
	}
	if _, err := classify.Train(t.Context(), classify.KindEmbedMLP, in, t.TempDir()); err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, req := range srv.Embeds() {
		texts, ok := req.Input.([]any)
		if !ok {
			t.Fatalf("embed input %T, want a list of texts", req.Input)
		}
		for _, text := range texts {
			seen[text.(string)]++
		}
	}
	if want := len(in.Train) + len(in.Valid); len(seen) != want {
		t.Errorf("%d distinct texts embedded, want %d", len(seen), want)
	}
	for text, n := range seen {
		if n != 1 {
			t.Errorf("embedded %d times: %.60q", n, text)
		}
	}
}

func TestEmbedMLPErrors(t *testing.T) {
	requireRuntime(t)
	noTokenizer := t.TempDir()
	if err := onnxfixture.WriteTinyEncoderFixture(noTokenizer); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(noTokenizer, classify.TokenizerFile)); err != nil {
		t.Fatal(err)
	}
	classifier := t.TempDir() // gives logits, not last_hidden_state
	if err := onnxfixture.WriteTinyClassifierFixture(classifier, []string{"feat", "fix"}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		opts classify.TrainOptions
		want []string
	}{
		{"no encoder", classify.TrainOptions{}, []string{"Options.Encoder", "Ollama"}},
		{"missing tokenizer", classify.TrainOptions{Encoder: noTokenizer}, []string{classify.TokenizerFile}},
		{"wrong output", classify.TrainOptions{Encoder: classifier}, []string{classify.ModelFile, "last_hidden_state"}},
		{"bad Ollama host", classify.TrainOptions{OllamaHost: "localhost", OllamaModel: "m"}, []string{`"localhost"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := classify.Train(t.Context(), classify.KindEmbedMLP, handMadeInput(tc.opts), t.TempDir())
			wantErr(t, err, tc.want...)
		})
	}
	t.Run("cancelled", func(t *testing.T) {
		enc := t.TempDir()
		if err := onnxfixture.WriteTinyEncoderFixture(enc); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		_, err := classify.Train(ctx, classify.KindEmbedMLP, handMadeInput(classify.TrainOptions{Encoder: enc}), t.TempDir())
		wantErr(t, err, "context canceled")
	})
}
