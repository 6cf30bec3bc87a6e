package main

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/commit-labeler/commit-labeler/classify"
	"github.com/commit-labeler/commit-labeler/internal/ghexamples"
	"github.com/commit-labeler/commit-labeler/internal/loadgen"
)

// TestBenchLabelsEveryPullRequest runs `bot bench --json` at a low rate
// with this test binary as the bot (real handlers, shipped model): every
// delivery is accepted and every pull request labeled exactly once.
func TestBenchLabelsEveryPullRequest(t *testing.T) {
	if err := classify.InitRuntime(); err != nil {
		t.Skipf("ONNX Runtime absent, run scripts/setup.sh: %v", err)
	}
	ghexamples.Load(t) // skips without the examples
	t.Setenv(envRunAsBot, "1")
	t.Setenv(classify.ORTLibraryEnv, classify.ORTLibraryPath())
	t.Setenv("COMMIT_LABELER_CACHE", t.TempDir())
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), []string{"bench", "--rates", "20,40", "--duration", "500ms", "--probot", "", "--json"}, &stdout, &stderr); code != 0 {
		t.Fatalf("bot bench: exit %d\n%s", code, stderr.String())
	}
	var report loadgen.Report
	if err := json.Unmarshal(stdout.Bytes(), &report); err != nil {
		t.Fatalf("bot bench --json: %v\n%s", err, stdout.String())
	}
	if len(report.Rows) != 2 {
		t.Fatalf("rows %+v, want one per rate", report.Rows)
	}
	for _, row := range report.Rows {
		if row.Target != "bot" || row.Sent == 0 || row.Accepted != row.Sent || row.Errors != 0 || row.Labeled == nil ||
			*row.Labeled != row.Sent || *row.DuplicateLabels != 0 || *row.LabeledPerSec <= 0 || row.P99Ms <= 0 {
			t.Errorf("row %+v (labeled %v)\n%s", row, row.Labeled, stderr.String())
		}
	}
}
