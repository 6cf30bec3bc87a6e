package main

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/commit-labeler/commit-labeler/classify"
	"github.com/commit-labeler/commit-labeler/internal/onnxfixture"
	"github.com/commit-labeler/commit-labeler/internal/testkind"
	"github.com/commit-labeler/commit-labeler/models"
)

// trainedCorpus imports the synthetic corpus of testkind (4 repositories)
// into a store, trains two kinds and their ensemble with `train train`, and
// returns the corpus file and the models' directory.
func trainedCorpus(t *testing.T) (corpus, out string) {
	t.Helper()
	testkind.Require(t)
	dir := t.TempDir()
	corpus, out = filepath.Join(dir, "corpus.jsonl"), filepath.Join(dir, "models")
	testkind.WriteJSONL(t, corpus, testkind.Corpus(4, 30))
	db := filepath.Join(dir, "corpus.db")
	if code, _, errOut := train(t, "import", "--db", db, corpus); code != 0 {
		t.Fatalf("import: exit %d: %s", code, errOut)
	}
	code, stdout, errOut := train(t, "train", "--db", db, "--model", testkind.Name+","+testkind.NameChars, "--out", out, "--json")
	if code != 0 {
		t.Fatalf("train: exit %d: %s", code, errOut)
	}
	var rep runReport
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil || len(rep.Phases) != 1 {
		t.Fatalf("train report %q: %v", stdout, err)
	}
	c := rep.Phases[0].Counts
	if c["examples"] != 120 || c["valid"] == 0 || c["ensemble_macro_f1_x1000"] == 0 {
		t.Fatalf("train counts %v", c)
	}
	return corpus, out
}

func TestEval(t *testing.T) {
	corpus, out := trainedCorpus(t)
	ensemble := filepath.Join(out, "ensemble")
	for _, tc := range []struct {
		name  string
		args  []string
		wantN func(n int) bool
	}{
		{"all", nil, func(n int) bool { return n == 120 }},
		{"repos", []string{"--repos", "owner/repo1,owner/repo2"}, func(n int) bool { return n == 60 }},
		{"exclude trained", []string{"--exclude-trained"}, func(n int) bool { return n > 0 && n < 120 && n%30 == 0 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, errOut := train(t, append([]string{"eval", "--model", ensemble, "--data", corpus, "--json"}, tc.args...)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			var rep struct {
				N                int                       `json:"n"`
				Accuracy         float64                   `json:"accuracy"`
				MacroF1          float64                   `json:"macro_f1"`
				PerLabel         map[string]map[string]any `json:"per_label"`
				CommitsPerSecond float64                   `json:"commits_per_second"`
			}
			if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
				t.Fatalf("not one JSON object: %v\n%s", err, stdout)
			}
			if !tc.wantN(rep.N) || rep.MacroF1 < 0.5 || rep.Accuracy < 0.5 || len(rep.PerLabel) != 4 || rep.CommitsPerSecond <= 0 {
				t.Fatalf("report %+v", rep)
			}
		})
	}
	code, stdout, errOut := train(t, "eval", "--model", ensemble, "--data", corpus)
	for _, want := range []string{"macro-F1", "coverage@0.80", "coverage@0.90", "commits/s", "confusion", "docs"} {
		if code != 0 || !strings.Contains(stdout, want) {
			t.Fatalf("text report (exit %d, %s) lacks %q:\n%s", code, errOut, want, stdout)
		}
	}
	code, _, errOut = train(t, "eval", "--model", ensemble, "--data", filepath.Join("..", "..", "pipeline", "testdata", "import-invalid-line3.jsonl"))
	if code != 1 || !strings.Contains(errOut, "import-invalid-line3.jsonl:3:") {
		t.Fatalf("invalid record: exit %d, stderr %q", code, errOut)
	}
}

func TestClassify(t *testing.T) {
	_, out := trainedCorpus(t)
	input := strings.Join([]string{
		`{"subject": "document the widget", "files": [{"path": "docs/widget1.md"}]}`,
		`{"subject": 42}`,
		``,
		`{"repo": "a/b", "sha": "1111111111111111111111111111111111111111", "date": "2024-01-01T00:00:00Z", "subject": "fix: handle nil widget 2", "labels": ["fix"], "files": [{"path": "src/widget2.go", "status": "M", "additions": 1, "deletions": 1}], "files_changed": 1, "additions": 1, "deletions": 1, "diff": ""}`,
		`not json`,
	}, "\n")
	for _, tc := range []struct {
		args []string
		code int
	}{{nil, 1}, {[]string{"--keep-going"}, 0}} {
		setStdin(t, input)
		code, stdout, errOut := train(t, append([]string{"classify", "--model", filepath.Join(out, testkind.Name)}, tc.args...)...)
		if code != tc.code || !strings.Contains(errOut, "line 2:") || !strings.Contains(errOut, "line 5:") {
			t.Fatalf("%v: exit %d, stderr %q", tc.args, code, errOut)
		}
		lines := strings.Split(strings.TrimSpace(stdout), "\n")
		if len(lines) != 2 {
			t.Fatalf("%d predictions, want 2:\n%s", len(lines), stdout)
		}
		var first, second struct {
			Line   int `json:"line"`
			Scores []struct {
				Label string `json:"label"`
			} `json:"scores"`
			Reasons []struct {
				Feature string `json:"feature"`
			} `json:"reasons"`
		}
		if json.Unmarshal([]byte(lines[0]), &first) != nil || json.Unmarshal([]byte(lines[1]), &second) != nil {
			t.Fatalf("predictions are not JSON:\n%s", stdout)
		}
		if first.Line != 1 || first.Scores[0].Label != "docs" || len(first.Reasons) == 0 || second.Line != 4 || second.Scores[0].Label != "fix" {
			t.Fatalf("predictions %+v %+v", first, second)
		}
	}
}

func TestDefaultModelMissing(t *testing.T) {
	t.Setenv("COMMIT_LABELER_CACHE", t.TempDir())
	if _, err := models.DefaultDir(); err == nil {
		t.Skip("a default model is shipped")
	}
	setStdin(t, "")
	code, _, errOut := train(t, "classify")
	if code != 1 || !strings.Contains(errOut, "--model DIR") {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
}

// setStdin makes train classify read s until the test ends.
func setStdin(t *testing.T, s string) {
	saved := stdin
	stdin = strings.NewReader(s)
	t.Cleanup(func() { stdin = saved })
}

// TestTrainImportsTransformer: `train train --model transformer --import
// DIR` brings a fine-tuned classifier in as a model directory, scored
// on the store's commits, even with a label those commits do not carry.
func TestTrainImportsTransformer(t *testing.T) {
	testkind.Require(t)
	dir := t.TempDir()
	corpus, db, out, src := filepath.Join(dir, "corpus.jsonl"), filepath.Join(dir, "corpus.db"), filepath.Join(dir, "models"), filepath.Join(dir, "fine-tuned")
	testkind.WriteJSONL(t, corpus, testkind.Corpus(4, 10))
	if code, _, errOut := train(t, "import", "--db", db, corpus); code != 0 {
		t.Fatalf("import: exit %d: %s", code, errOut)
	}
	if err := onnxfixture.WriteTinyClassifierFixture(src, append(slices.Clone(testkind.Labels), "perf")); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := train(t, "train", "--db", db, "--model", classify.KindTransformer, "--out", out); code != 1 || !strings.Contains(errOut, "Options.Import") {
		t.Errorf("without --import: exit %d, stderr %q", code, errOut)
	}
	if code, _, errOut := train(t, "train", "--db", db, "--model", classify.KindTransformer, "--import", src, "--out", out); code != 0 {
		t.Fatalf("train: exit %d: %s", code, errOut)
	}
	meta, err := classify.ReadMeta(filepath.Join(out, classify.KindTransformer))
	if err != nil {
		t.Fatal(err)
	}
	if meta.Kind != classify.KindTransformer || meta.Metrics == nil || meta.Metrics.N == 0 {
		t.Errorf("imported model.json: kind %q, metrics %+v", meta.Kind, meta.Metrics)
	}
}

// TestEvalWarm: a repository that calls its documentation commits chore
// gets its own model, which serves its newest commits better than the
// shipped model; a repository with too short a history keeps the global
// model.
func TestEvalWarm(t *testing.T) {
	testkind.Require(t)
	records := append(testkind.Corpus(1, 400), testkind.Corpus(2, 40)[40:]...)
	for i := range records {
		records[i].Date = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Hour).Format(time.RFC3339)
		if records[i].Labels[0] == "docs" {
			records[i].Labels[0] = "chore"
			records[i].Subject = "chore" + strings.TrimPrefix(records[i].Subject, "docs")
		}
	}
	corpus := filepath.Join(t.TempDir(), "corpus.jsonl")
	testkind.WriteJSONL(t, corpus, records)
	code, stdout, errOut := train(t, "eval", "--warm", "--data", corpus, "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	type metrics struct {
		MacroF1             *float64 `json:"macro_f1"`
		Accuracy            *float64 `json:"accuracy"`
		AppliedPrecision    *float64 `json:"applied_precision"`
		AppliedCoverage     *float64 `json:"applied_coverage"`
		CoverageAtPrecision []struct {
			Precision, Coverage float64
		} `json:"coverage_at_precision"`
		N int `json:"n"`
	}
	var rep struct {
		Global, Served metrics
		Repos          []struct {
			Repo           string
			Global, Served metrics
			Accepted       bool
		}
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("not one JSON object: %v\n%s", err, stdout)
	}
	for _, m := range []metrics{rep.Global, rep.Served} {
		if m.MacroF1 == nil || m.Accuracy == nil || m.AppliedPrecision == nil || m.AppliedCoverage == nil || len(m.CoverageAtPrecision) == 0 || m.N != 132 {
			t.Fatalf("pooled metrics %+v: want every field, 120 + 12 newest commits", m)
		}
	}
	if len(rep.Repos) != 2 || rep.Repos[0].Repo != "owner/repo0" || !rep.Repos[0].Accepted || rep.Repos[1].Accepted {
		t.Fatalf("repositories %+v: want owner/repo0 accepted, owner/repo1 (28 history commits) not", rep.Repos)
	}
	if g, s := *rep.Repos[0].Global.MacroF1, *rep.Repos[0].Served.MacroF1; s <= g {
		t.Errorf("owner/repo0: served macro-F1 %.3f, global %.3f", s, g)
	}
	code, stdout, errOut = train(t, "eval", "--warm", "--data", corpus)
	for _, want := range []string{"owner/repo0", "repository", "pooled", "served", "1 of 2 repositories served by their own model"} {
		if code != 0 || !strings.Contains(stdout, want) {
			t.Fatalf("text report (exit %d, %s) lacks %q:\n%s", code, errOut, want, stdout)
		}
	}
	if !strings.Contains(errOut, "owner/repo1: 28 history commits") {
		t.Errorf("progress lacks the short repository:\n%s", errOut)
	}
}

// TestEvalFolds scores each record by the fold model that held its
// repository out, and refuses folds that overlap.
func TestEvalFolds(t *testing.T) {
	testkind.Require(t)
	dir := t.TempDir()
	corpus, db := filepath.Join(dir, "corpus.jsonl"), filepath.Join(dir, "corpus.db")
	testkind.WriteJSONL(t, corpus, testkind.Corpus(4, 30))
	if code, _, errOut := train(t, "import", "--db", db, corpus); code != 0 {
		t.Fatalf("import: exit %d: %s", code, errOut)
	}
	fold := func(name, holdout string) string {
		out := filepath.Join(dir, name)
		if code, _, errOut := train(t, "train", "--db", db, "--model", testkind.Name, "--out", out, "--holdout", holdout, "--valid-share", "0"); code != 0 {
			t.Fatalf("train %s: exit %d: %s", name, code, errOut)
		}
		return filepath.Join(out, testkind.Name)
	}
	a, b, c := fold("a", "owner/repo0,owner/repo1"), fold("b", "owner/repo2,owner/repo3"), fold("c", "owner/repo0")
	code, stdout, errOut := train(t, "eval", "--model", a, "--model", b, "--data", corpus, "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var rep struct {
		N     int                        `json:"n"`
		Repos map[string]json.RawMessage `json:"repos"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil || rep.N != 120 || len(rep.Repos) != 4 {
		t.Fatalf("two folds scored %d commits of %d repositories (%v), want 120 of 4", rep.N, len(rep.Repos), err)
	}
	code, _, errOut = train(t, "eval", "--model", a, "--model", b, "--model", c, "--data", corpus)
	if code == 0 || !strings.Contains(errOut, "models 1 and 3 both held out owner/repo0") {
		t.Fatalf("overlapping folds: exit %d, stderr %q", code, errOut)
	}
	code, _, errOut = train(t, "eval", "--warm", "--model", a, "--model", b, "--data", corpus)
	if code != 2 || !strings.Contains(errOut, "--warm") {
		t.Fatalf("--warm with folds: exit %d, stderr %q", code, errOut)
	}
}
