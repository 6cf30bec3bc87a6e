package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/commit-labeler/commit-labeler/classify"
	"github.com/commit-labeler/commit-labeler/internal/ghexamples"
	"github.com/commit-labeler/commit-labeler/internal/loadgen"
)

// TestBotLabelsEveryPullRequest runs `bench bot --json` at a low rate
// against the real bot binary (real handlers, shipped model), on SQLite
// and as two replicas on PostgreSQL: every delivery is accepted and every
// pull request labeled exactly once.
func TestBotLabelsEveryPullRequest(t *testing.T) {
	if err := classify.InitRuntime(); err != nil {
		t.Skipf("ONNX Runtime absent, run scripts/setup.sh: %v", err)
	}
	ghexamples.Load(t) // skips without the examples
	t.Setenv(classify.ORTLibraryEnv, classify.ORTLibraryPath())
	t.Setenv("COMMIT_LABELER_CACHE", t.TempDir())
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), []string{"bot", "--bot", builtBinary(t, "bot"), "--rates", "20,40", "--duration", "500ms", "--probot", "", "--postgres", "2", "--json"}, &stdout, &stderr); code != 0 {
		t.Fatalf("bench bot: exit %d\n%s", code, stderr.String())
	}
	var report loadgen.Report
	if err := json.Unmarshal(stdout.Bytes(), &report); err != nil {
		t.Fatalf("bench bot --json: %v\n%s", err, stdout.String())
	}
	want := []string{"bot sqlite×1", "bot postgres×2", "bot sqlite×1", "bot postgres×2"}
	if report.PostgresError != "" {
		t.Logf("PostgreSQL not run, SQLite alone: %s", report.PostgresError)
		want = []string{"bot sqlite×1", "bot sqlite×1"}
	}
	if len(report.Rows) != len(want) {
		t.Fatalf("rows %+v, want %q", report.Rows, want)
	}
	for i, row := range report.Rows {
		if row.Label() != want[i] || row.Sent == 0 || row.Accepted != row.Sent || row.Errors != 0 || row.Labeled == nil ||
			*row.Labeled != row.Sent || *row.DuplicateLabels != 0 || *row.LabeledPerSec <= 0 || row.P99Ms <= 0 {
			t.Errorf("row %+v (labeled %v)\n%s", row, row.Labeled, stderr.String())
		}
	}
}

func TestUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{nil, exitUsage, "usage: bench COMMAND"},
		{[]string{"nonesuch"}, exitUsage, `unknown command "nonesuch"`},
		{[]string{"bot", "--rates", "0"}, exitUsage, `"0" is not a positive rate`},
		{[]string{"bot", "--bot", "/nonexistent/bot"}, exitUsage, "--bot: "},
		{[]string{"train", "--only", "nonesuch", "--corpus", "x"}, exitFailure, `unknown section "nonesuch"`},
		{[]string{"train", "--only", "train", "--corpus", "x"}, exitFailure, "needs the import section"},
		{[]string{"train", "extra"}, exitUsage, `unexpected argument "extra"`},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(t.Context(), tc.args, &stdout, &stderr); code != tc.code || !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("bench %q: exit %d, want %d with %q:\n%s", tc.args, code, tc.code, tc.want, stderr.String())
		}
	}
}
