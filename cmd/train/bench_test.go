package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// envRunAsTrain makes the test binary act as the train command: the bench
// command runs its import and training in child processes of its own binary.
const envRunAsTrain = "COMMIT_LABELER_TEST_RUN_AS_TRAIN"

func TestMain(m *testing.M) {
	if os.Getenv(envRunAsTrain) == "1" {
		main()
	}
	os.Exit(m.Run())
}

// TestBenchQuick runs the bench command end to end on the corpus sample:
// every section but the cost curve, each training in a child process.
func TestBenchQuick(t *testing.T) {
	sample := "../../../shared/data/commits-sample.jsonl"
	if _, err := os.Stat(sample); err != nil {
		t.Skip("../shared/data absent: the bench measures the corpus sample")
	}
	t.Setenv(envRunAsTrain, "1")
	code, out, errOut := train(t, "bench", "--quick", "--corpus", sample, "--extract-commits", "20",
		"--work", t.TempDir(), "--bot", filepath.Join(t.TempDir(), "no-bot"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) < 2 || !strings.HasPrefix(lines[0], "| measurement |") || !strings.HasPrefix(lines[1], "|---") {
		t.Fatalf("not a markdown table:\n%s", out)
	}
	for _, want := range []string{
		"| extract of a 20-commit repository", "commits/s",
		"| import of 300 records", "peak RSS",
		"| training tfidf_logreg on 300 commits", "| training embed_bag on 300 commits", "| training the ensemble of tfidf_logreg + embed_bag",
		"| training embed_mlp | skipped (--quick)", "| training transformer | skipped (--quick)", "| training cost curve of tfidf_logreg | skipped (--quick)",
		"| classification, tfidf_logreg | p50 ", "| classification, embed_bag | p50 ", "| classification, ensemble | p50 ",
		"bot bench not available",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}

func TestBenchUsage(t *testing.T) {
	if code, _, errOut := train(t, "bench", "--only", "nonesuch", "--corpus", "x"); code == 0 || !strings.Contains(errOut, `unknown section "nonesuch"`) {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if code, _, errOut := train(t, "bench", "--only", "train", "--corpus", "x"); code == 0 || !strings.Contains(errOut, "needs the import section") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
}
