package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTrainQuick runs `bench train` end to end on the corpus sample with
// the real train binary: every section but the cost curve, each training
// in a child process.
func TestTrainQuick(t *testing.T) {
	sample := "../../../shared/data/commits-sample.jsonl"
	if _, err := os.Stat(sample); err != nil {
		t.Skip("../shared/data absent: the bench measures the corpus sample")
	}
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), []string{"train", "--quick", "--corpus", sample, "--extract-commits", "20", "--work", t.TempDir(),
		"--train", builtBinary(t, "train"), "--bot", filepath.Join(t.TempDir(), "no-bot")}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	out := stdout.String()
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
		"bot not built",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}
