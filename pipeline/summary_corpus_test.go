package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestSummarizeCorpus summarises the imported development corpus (85,815
// commits) after the stride phase, to see the report scale. It imports the
// corpus first (about 20 s), so it runs only with COMMIT_LABELER_CORPUS_TESTS=1.
func TestSummarizeCorpus(t *testing.T) {
	if _, err := os.Stat(corpusDev); os.IsNotExist(err) {
		t.Skip("../shared/data absent: no development corpus to summarise")
	}
	if os.Getenv("COMMIT_LABELER_CORPUS_TESTS") != "1" {
		t.Skip("set COMMIT_LABELER_CORPUS_TESTS=1 to import and summarise the development corpus")
	}
	ctx := context.Background()
	env := newTestEnv(t)
	counts, err := Import(ctx, env, corpusDev)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Stride(ctx, env); err != nil {
		t.Fatal(err)
	}
	env.Options.ModelsOut = filepath.Join(t.TempDir(), "models")
	writeModelFixture(t, filepath.Join(env.Options.ModelsOut, "sparse"), "sparse", 0.6, 1)
	start := time.Now()
	got, err := Summarize(ctx, env)
	if err != nil {
		t.Fatal(err)
	}
	elapsed := time.Since(start)
	wantCounts(t, got, Counts{CountSummaryCommits: counts[CountImported], CountSummaryLabeled: counts[CountImported], CountSummaryModels: 1})
	var sizes []any
	for _, name := range []string{SummaryJSON, SummaryMarkdown, SummaryHTML} {
		fi, err := os.Stat(filepath.Join(env.Options.ModelsOut, name))
		if err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, name, fi.Size())
	}
	t.Logf("Summarize over %d commits: %v", got[CountSummaryCommits], elapsed.Round(time.Millisecond))
	t.Logf("%s %d B, %s %d B, %s %d B", sizes...)
	if keep := os.Getenv("COMMIT_LABELER_SCREENSHOT"); keep != "" {
		data, err := os.ReadFile(filepath.Join(env.Options.ModelsOut, SummaryHTML))
		if err == nil {
			err = os.WriteFile(filepath.Join(filepath.Dir(keep), "summary-corpus.html"), data, 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}
