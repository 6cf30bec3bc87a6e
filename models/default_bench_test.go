package models_test

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"testing"

	"github.com/commit-labeler/commit-labeler/classify"
	"github.com/commit-labeler/commit-labeler/internal/perf"
	"github.com/commit-labeler/commit-labeler/models"
)

// sampleCommits are the commits of the corpus sample (DATA.md schema), or
// hand-written ones when the corpus is absent.
func sampleCommits(tb testing.TB) []classify.Commit {
	f, err := os.Open("../../shared/data/commits-sample.jsonl")
	if err != nil {
		return []classify.Commit{
			{Subject: "Fix crash when the config file is empty", Files: []classify.File{{Path: "internal/config/load.go", Status: "M", Additions: 4, Deletions: 1}}, FilesChanged: 1, Additions: 4, Deletions: 1},
			{Subject: "Update README", Files: []classify.File{{Path: "README.md", Status: "M", Additions: 10, Deletions: 2}}, FilesChanged: 1, Additions: 10, Deletions: 2},
		}
	}
	defer f.Close()
	var out []classify.Commit
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var r struct {
			Subject, Body, Diff  string
			FilesChanged         int `json:"files_changed"`
			Additions, Deletions int
			Files                []struct {
				Path, Status         string
				OldPath              string `json:"old_path"`
				Additions, Deletions int
				Binary               bool
			}
		}
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			tb.Fatal(err)
		}
		c := classify.Commit{Subject: r.Subject, Body: r.Body, Diff: r.Diff, FilesChanged: r.FilesChanged, Additions: r.Additions, Deletions: r.Deletions}
		for _, fl := range r.Files {
			c.Files = append(c.Files, classify.File{Path: fl.Path, OldPath: fl.OldPath, Status: fl.Status, Additions: fl.Additions, Deletions: fl.Deletions, Binary: fl.Binary})
		}
		out = append(out, c)
	}
	return out
}

// envBenchModel names a model directory the benchmarks measure instead of
// the shipped model (the README's encoder table).
const envBenchModel = "COMMIT_LABELER_BENCH_MODEL"

func loadDefault(tb testing.TB) *classify.Classifier {
	tb.Helper()
	dir, err := models.DefaultDir()
	if err != nil {
		tb.Fatal(err)
	}
	return loadModel(tb, dir)
}

// benchModel is the model the benchmarks measure: $COMMIT_LABELER_BENCH_MODEL
// or the shipped one.
func benchModel(b *testing.B) *classify.Classifier {
	if dir := os.Getenv(envBenchModel); dir != "" {
		return loadModel(b, dir)
	}
	return loadDefault(b)
}

func loadModel(tb testing.TB, dir string) *classify.Classifier {
	tb.Helper()
	if err := classify.InitRuntime(); err != nil {
		tb.Skipf("ONNX Runtime absent, run scripts/setup.sh: %v", err)
	}
	c, err := classify.LoadClassifier(dir)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close() })
	return c
}

// BenchmarkDefaultModelSingle classifies one commit at a time on one
// goroutine (features, tokens, ONNX Runtime with one thread) and reports
// the p50 and p99 latency per commit.
func BenchmarkDefaultModelSingle(b *testing.B) {
	c := benchModel(b)
	lat, err := perf.Latencies(b.Context(), c, sampleCommits(b), b.Loop)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(perf.Percentile(lat, 50).Microseconds()), "p50-µs")
	b.ReportMetric(float64(perf.Percentile(lat, 99).Microseconds()), "p99-µs")
}

// BenchmarkDefaultModelBatch classifies batches of 256 commits on one
// goroutine and reports commits per second.
func BenchmarkDefaultModelBatch(b *testing.B) {
	c := benchModel(b)
	rate, err := perf.Batched(b.Context(), c, sampleCommits(b), b.Loop)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(rate, "commits/s")
}

func TestDefaultModelServes(t *testing.T) {
	c := loadDefault(t)
	meta := c.Meta()
	if meta.Kind != classify.KindTfidfLogreg || meta.Metrics == nil || len(meta.Thresholds) == 0 {
		t.Fatalf("default model: %+v", meta)
	}
	preds, err := c.Classify(context.Background(), sampleCommits(t)[:2])
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range preds {
		if len(p.Scores) != len(meta.Labels) || p.Source != classify.SourceModel || len(p.Reasons) == 0 {
			t.Fatalf("prediction %+v", p)
		}
	}
}
