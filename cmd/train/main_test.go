package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/commit-labeler/commit-labeler/internal/gittest"
	"github.com/commit-labeler/commit-labeler/internal/pgtest"
	"github.com/commit-labeler/commit-labeler/internal/testkind"
	"github.com/commit-labeler/commit-labeler/pipeline"
)

// train runs the command in-process and returns its exit status and output.
// envRunAsTrain makes the test binary act as the train command, for
// tests that run it as a child process (the worker killed mid-learn).
const envRunAsTrain = "COMMIT_LABELER_TEST_RUN_AS_TRAIN"

func TestMain(m *testing.M) {
	if os.Getenv(envRunAsTrain) == "1" {
		main()
	}
	code := m.Run()
	if err := pgtest.StopShared(); err != nil {
		fmt.Fprintln(os.Stderr, "train tests:", err)
	}
	os.Exit(code)
}

func train(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestRunJSON(t *testing.T) {
	testkind.Require(t)
	fx := gittest.History(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "corpus.db")
	args := []string{"run", "--db", db, "--workdir", filepath.Join(dir, "clones"), "--repo", fx.Dir, "--json",
		"--model", testkind.Name, "--out", filepath.Join(dir, "models")}
	code, out, errOut := train(t, args...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var rep runReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("output is not one JSON object: %v\n%s", err, out)
	}
	if len(rep.Phases) != 7 || rep.Phases[6].Phase != "summary" {
		t.Fatalf("report = %+v", rep)
	}
	if got := rep.Phases[1].Counts["added"]; got != gittest.HistoryCommits {
		t.Fatalf("extract added %d, want %d", got, gittest.HistoryCommits)
	}

	// A rerun of one phase as its own command adds nothing and prints one summary line.
	code, out, errOut = train(t, "extract", "--db", db)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 1 || !strings.Contains(lines[0], "added=0") {
		t.Fatalf("extract rerun printed %q", out)
	}

	code, out, _ = train(t, "runs", "--db", db, "--json")
	var runs struct{ Runs []map[string]any }
	if code != 0 || json.Unmarshal([]byte(out), &runs) != nil || len(runs.Runs) != 8 {
		t.Fatalf("runs: exit %d, %s", code, out)
	}
}

func TestSummaryCommand(t *testing.T) {
	dir := t.TempDir()
	db, out := filepath.Join(dir, "corpus.db"), filepath.Join(dir, "models")
	if code, _, errOut := train(t, "import", "--db", db, filepath.Join("..", "..", "pipeline", "testdata", "import-valid.jsonl")); code != 0 {
		t.Fatalf("import: exit %d: %s", code, errOut)
	}
	code, stdout, errOut := train(t, "summary", "--db", db, "--out", out)
	if code != 0 || !strings.Contains(stdout, "summary") || !strings.Contains(stdout, "commits=4") {
		t.Fatalf("summary: exit %d, out %q, err %q", code, stdout, errOut)
	}
	for _, name := range []string{"summary.json", "summary.md", "summary.html"} {
		if _, err := os.Stat(filepath.Join(out, name)); err != nil {
			t.Errorf("summary wrote no %s: %v", name, err)
		}
	}
}

func TestImportCommand(t *testing.T) {
	db := filepath.Join(t.TempDir(), "corpus.db")
	code, out, errOut := train(t, "import", "--db", db, filepath.Join("..", "..", "pipeline", "testdata", "import-valid.jsonl.gz"))
	if code != 0 || !strings.Contains(out, "import") || !strings.Contains(out, "imported=") {
		t.Fatalf("exit %d, out %q, err %q", code, out, errOut)
	}
	code, _, errOut = train(t, "import", "--db", db, filepath.Join("..", "..", "pipeline", "testdata", "import-invalid-line3.jsonl"))
	if code != 1 || !strings.Contains(errOut, "import-invalid-line3.jsonl:3:") {
		t.Fatalf("invalid file: exit %d, stderr %q (want the file and line named)", code, errOut)
	}
}

// TestTextsCommand: train texts writes a corpus's commits as texts, one
// JSON line each.
func TestTextsCommand(t *testing.T) {
	db := filepath.Join(t.TempDir(), "corpus.db")
	if code, _, errOut := train(t, "import", "--db", db, filepath.Join("..", "..", "pipeline", "testdata", "import-valid.jsonl.gz")); code != 0 {
		t.Fatalf("import: exit %d, %s", code, errOut)
	}
	code, out, errOut := train(t, "texts", "--db", db, "--valid-share", "0")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) == 0 || !strings.Contains(lines[0], `"text":`) || !strings.Contains(errOut, "training and 0 validation commits") {
		t.Fatalf("exit %d, out %q, err %q", code, out, errOut)
	}
}

func TestUsageErrors(t *testing.T) {
	db := filepath.Join(t.TempDir(), "x.db")
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{nil, 2, "usage: train"},
		{[]string{"bogus"}, 2, `unknown command "bogus"`},
		{[]string{"run", "--db", db, "--labeler", "gpt"}, 2, `--labeler "gpt"`},
		{[]string{"run", "--db", db, "--since", "yesterday"}, 2, `--since "yesterday"`},
		{[]string{"train", "--db", db, "--valid-share", "1"}, 2, "--valid-share 1"},
		{[]string{"train", "--db", db, "--precision", "0"}, 2, "--precision 0"},
		{[]string{"train", "--db", db, "--model", ","}, 2, "no model kind"},
		{[]string{"train", "--db", db, "--model", "nonesuch"}, 1, `unknown model kind "nonesuch"`},
		{[]string{"eval", "--model", t.TempDir()}, 2, "no --data"},
		{[]string{"eval", "--model", t.TempDir(), "--data", "x.jsonl"}, 1, "not a model directory"},
		{[]string{"classify", "--model", t.TempDir(), "stray"}, 2, `unexpected argument "stray"`},
		{[]string{"run", "--db", db, "--only", "clone", "--from", "label"}, 2, "exclusive"},
		{[]string{"extract", "--db", db, "stray"}, 2, `unexpected argument "stray"`},
		{[]string{"import", "--db", db}, 2, "no FILE"},
		{[]string{"import", "--db", db, "/nonexistent.jsonl"}, 1, "/nonexistent.jsonl"},
		{[]string{"run", "--db", db, "--installations"}, 1, "GITHUB_APP_ID"},
		{[]string{"clone", "--db", db, "--workdir", t.TempDir(), "--repo", "/nonexistent/repo"}, 1, "/nonexistent/repo"},
		{[]string{"worker", "--db", db, "--config", "/nonexistent/app.env"}, 1, "/nonexistent/app.env"},
		{[]string{"audit", "--db", db}, 2, "no --repo"},
		{[]string{"audit", "--db", db, "--repo", "o/r", "--format", "pdf"}, 2, `--format "pdf"`},
		{[]string{"correct", "--db", db, "--repo", "o/r"}, 2, "--repo, --sha and --label are required"},
		{[]string{"texts", "--db", db, "--text", "diff"}, 2, `text recipe "diff"`},
		{[]string{"texts", "--db", db, "stray"}, 2, `unexpected argument "stray"`},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			t.Setenv("GITHUB_APP_ID", "")
			code, _, errOut := train(t, tc.args...)
			if code != tc.code || !strings.Contains(errOut, tc.want) {
				t.Fatalf("exit %d, stderr %q; want exit %d and %q", code, errOut, tc.code, tc.want)
			}
		})
	}
}

// TestPhaseCommandsShowTheirOwnFlags: a phase command has the common flags
// and the phase's own (pipeline.Phases), run has all of them.
func TestPhaseCommandsShowTheirOwnFlags(t *testing.T) {
	common := []string{"db", "json", "log-level"}
	all := map[string]bool{}
	for _, p := range pipeline.Phases {
		fs, _ := newPhaseFlagSet(p.Name, io.Discard, false)
		var got []string
		fs.VisitAll(func(f *flag.Flag) { got = append(got, f.Name) })
		want := append(slices.Clone(common), p.Flags...)
		slices.Sort(want)
		if !slices.Equal(got, slices.Compact(want)) {
			t.Errorf("train %s flags %v, want %v", p.Name, got, want)
		}
		for _, f := range p.Flags {
			all[f] = true
		}
	}
	fs, _ := newPhaseFlagSet("run", io.Discard, true)
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	if want := len(all) + len(common) + 2; n != want {
		t.Errorf("train run has %d flags, want %d (every phase's, the common ones, --only and --from)", n, want)
	}
}
