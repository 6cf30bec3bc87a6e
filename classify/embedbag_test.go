package classify

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// requireORT loads ONNX Runtime, skipping when the library is not installed
// (the internal-package twin of classify_test's requireRuntime).
func requireORT(tb testing.TB) {
	tb.Helper()
	if err := InitRuntime(); errors.Is(err, ErrRuntimeMissing) {
		tb.Skipf("ONNX Runtime absent, run scripts/setup.sh to install it: %v", err)
	} else if err != nil {
		tb.Fatal(err)
	}
}

// separableLabels are the labels of separableExamples.
var separableLabels = []string{"feat", "fix", "docs", "chore"}

// separableExamples are synthetic commits whose label is told by one of
// its subject words and its file, among noise words shared by all labels.
func separableExamples(n int, seed uint64, repo string) []Example {
	r := rand.New(rand.NewPCG(seed, 1))
	signal := map[string][]string{
		"feat":  {"add", "introduce", "support", "new"},
		"fix":   {"crash", "bug", "wrong", "broken"},
		"docs":  {"readme", "documentation", "typo", "guide"},
		"chore": {"bump", "release", "version", "deps"},
	}
	files := map[string]string{"feat": "src/feature.go", "fix": "src/parser.go", "docs": "README.md", "chore": "package-lock.json"}
	noise := []string{"the", "module", "update", "for", "in", "code", "handling", "of", "user", "api"}
	out := make([]Example, n)
	for i := range out {
		label := separableLabels[r.IntN(len(separableLabels))]
		words := []string{signal[label][r.IntN(4)]}
		for range 1 + r.IntN(5) {
			words = append(words, noise[r.IntN(len(noise))])
		}
		r.Shuffle(len(words), func(a, b int) { words[a], words[b] = words[b], words[a] })
		subject := fmt.Sprint(words)
		f := BuildFeatures(Commit{Subject: subject[1 : len(subject)-1], FilesChanged: 1, Additions: 1 + r.IntN(50),
			Files: []File{{Path: files[label], Status: "M", Additions: 3, Deletions: 1}}})
		out[i] = Example{ID: fmt.Sprintf("%s/%d", repo, i), Repo: repo, Features: &f, Labels: []string{label}}
	}
	return out
}

// smallEmbedBagConfig trains in a moment.
func smallEmbedBagConfig() EmbedBagConfig {
	cfg := DefaultEmbedBagConfig()
	cfg.Buckets, cfg.Dim, cfg.Epochs = 1<<10, 8, 8
	return cfg
}

func TestEmbedBagSeparable(t *testing.T) {
	requireORT(t)
	in := TrainInput{Labels: separableLabels, Train: separableExamples(600, 1, "a"), Valid: separableExamples(200, 2, "b"),
		Options: TrainOptions{Seed: 7}}
	for _, hidden := range [][]int{nil, {16}} {
		t.Run(fmt.Sprint("hidden", hidden), func(t *testing.T) {
			cfg := smallEmbedBagConfig()
			cfg.Hidden = hidden
			net, err := trainEmbedBagNet(t.Context(), in, cfg)
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			if err := net.write(dir, in.Labels); err != nil {
				t.Fatal(err)
			}
			m, err := Load(dir)
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			test := separableExamples(300, 3, "c")
			outcomes, err := Score(t.Context(), m, test)
			if err != nil {
				t.Fatal(err)
			}
			if acc := Evaluate(in.Labels, outcomes).Accuracy; acc < 0.98 {
				t.Errorf("accuracy on held-out synthetic commits %.3f, want ≥ 0.98", acc)
			}
			for i, o := range outcomes {
				want := net.forward(cfg.hash(test[i].Features))
				for j := range want {
					if math.Abs(float64(o.Probabilities[j]-want[j])) > 1e-5 {
						t.Fatalf("example %d: ONNX probabilities %v, Go forward pass %v", i, o.Probabilities, want)
					}
				}
			}
		})
	}
}

func TestEmbedBagDeterministic(t *testing.T) {
	in := TrainInput{Labels: separableLabels, Train: separableExamples(300, 1, "a"), Valid: separableExamples(100, 2, "b"),
		Options: TrainOptions{Seed: 3}}
	a, err := trainEmbedBagNet(t.Context(), in, smallEmbedBagConfig())
	if err != nil {
		t.Fatal(err)
	}
	b, err := trainEmbedBagNet(t.Context(), in, smallEmbedBagConfig())
	if err != nil {
		t.Fatal(err)
	}
	for i := range a.embedding {
		if a.embedding[i] != b.embedding[i] {
			t.Fatalf("embedding value %d differs between two runs with seed 3: %v, %v", i, a.embedding[i], b.embedding[i])
		}
	}
}

func TestEmbedBagTrainErrors(t *testing.T) {
	good := TrainInput{Labels: separableLabels, Train: separableExamples(50, 1, "a")}
	bad := smallEmbedBagConfig()
	bad.Dim = 0
	if err := TrainEmbedBag(t.Context(), good, t.TempDir(), bad); err == nil {
		t.Error("dim 0: no error")
	}
	unknown := TrainInput{Labels: []string{"perf"}, Train: good.Train}
	if err := TrainEmbedBag(t.Context(), unknown, t.TempDir(), smallEmbedBagConfig()); err == nil {
		t.Error("no example with a model label: no error")
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := TrainEmbedBag(ctx, good, t.TempDir(), smallEmbedBagConfig()); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v, want context.Canceled", err)
	}
}

// TestEmbedBagKindTrain trains the registered kind with its default
// configuration through Train and checks the directory it leaves.
func TestEmbedBagKindTrain(t *testing.T) {
	requireORT(t)
	dir := t.TempDir()
	in := TrainInput{Labels: separableLabels, Train: separableExamples(400, 1, "a"), Valid: separableExamples(100, 2, "b"),
		Options: TrainOptions{Seed: 1}}
	meta, err := Train(t.Context(), KindEmbedBag, in, dir)
	if err != nil {
		t.Fatal(err)
	}
	if meta.Kind != KindEmbedBag || meta.Metrics == nil || meta.Metrics.Accuracy < 0.98 {
		t.Errorf("meta %+v, metrics %+v: want kind %s and accuracy ≥ 0.98", meta, meta.Metrics, KindEmbedBag)
	}
	for _, name := range []string{ModelFile, ModelDataFile, MetaFile} {
		st, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if st.Size() > 15<<20 {
			t.Errorf("%s is %d bytes, want < 15 MiB", name, st.Size())
		}
	}
	c, err := LoadClassifier(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	preds, err := c.Classify(t.Context(), []Commit{
		{Subject: "docs: fix typo in readme", Files: []File{{Path: "README.md", Status: "M", Additions: 1, Deletions: 1}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := preds[0].Scores[0].Label; got != "docs" {
		t.Errorf("top label %q, want docs (scores %+v)", got, preds[0].Scores)
	}
}

// BenchmarkEmbedBagClassify measures the default-size model (8 MiB
// embedding) classifying one commit (latency) and batches of 64 (throughput)
// through the Classifier, feature building included, on the corpus sample
// when present and on a synthetic large commit.
func BenchmarkEmbedBagClassify(b *testing.B) {
	requireORT(b)
	dir := b.TempDir()
	in := TrainInput{Labels: separableLabels, Train: separableExamples(200, 1, "a"), Options: TrainOptions{Seed: 1}}
	cfg := DefaultEmbedBagConfig()
	cfg.Epochs = 1
	if err := TrainEmbedBag(b.Context(), in, dir, cfg); err != nil {
		b.Fatal(err)
	}
	c, err := LoadClassifier(dir)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	commits := []Commit{syntheticCommit()}
	if _, err := os.Stat(samplePath); err == nil {
		commits = loadSample(b)
	}
	for _, size := range []int{1, 64} {
		b.Run(fmt.Sprintf("batch=%d", size), func(b *testing.B) {
			batch := make([]Commit, size)
			i := 0
			for b.Loop() {
				for j := range batch {
					batch[j] = commits[i%len(commits)]
					i++
				}
				if _, err := c.Classify(b.Context(), batch); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*size)/b.Elapsed().Seconds(), "commits/s")
		})
	}
}
