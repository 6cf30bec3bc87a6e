package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"reflect"
	"testing"

	commitlabeler "github.com/commit-labeler/commit-labeler"
	"github.com/commit-labeler/commit-labeler/store"
)

func TestConventionalLabeler(t *testing.T) {
	env := newTestEnv(t)
	tests := []struct {
		subject string
		want    []string // nil: a "none" labeling
	}{
		{"feat(api): add endpoint", []string{"feat"}},
		{"fix(i18n): correct German strings", []string{"fix", "i18n"}},
		{"chore(ui/locales)!: sync translations", []string{"chore", "i18n"}},
		{`Revert "feat: add endpoint"`, []string{"revert"}},
		{"l10n: update French", []string{"i18n"}},
		{"models: rename field", []string{"other"}},
		{"Add a thing without header", nil},
		{"feat:missing space", nil},
	}
	commits := make([]store.Commit, len(tests))
	for i, tt := range tests {
		commits[i] = testCommit(i, tt.subject)
	}
	ids := insertCommits(t, env.DB, "octo/mixed", commits)

	counts, err := runLabelers(context.Background(), env, []labeler{newConventionalLabeler(commitlabeler.Default())})
	if err != nil {
		t.Fatal(err)
	}
	got := sourceLabels(t, env.DB, store.SourceConventional)
	for i, tt := range tests {
		if !reflect.DeepEqual(got[ids[i]], tt.want) {
			t.Errorf("%q: labels %v, want %v", tt.subject, got[ids[i]], tt.want)
		}
	}
	want := Counts{
		"conventional.labeled": 6, "conventional.none": 2, "conventional.failed": 0,
		"conventional.label.feat": 1, "conventional.label.fix": 1, "conventional.label.chore": 1,
		"conventional.label.i18n": 3, "conventional.label.revert": 1, "conventional.label.other": 1,
	}
	if !reflect.DeepEqual(counts, want) {
		t.Errorf("counts = %v, want %v", counts, want)
	}

	// Every commit is done, "none" ones included: a rerun reads nothing.
	before := labelRows(t, env.DB)
	counts, err = runLabelers(context.Background(), env, []labeler{newConventionalLabeler(commitlabeler.Default())})
	if err != nil {
		t.Fatal(err)
	}
	if counts["conventional.labeled"]+counts["conventional.none"] != 0 {
		t.Errorf("rerun labeled again: %v", counts)
	}
	if after := labelRows(t, env.DB); !reflect.DeepEqual(before, after) {
		t.Errorf("rerun changed rows:\n%v\n%v", before, after)
	}
}

func TestConventionalLabelerResumesAcrossBatches(t *testing.T) {
	env := newTestEnv(t)
	n := labelWriteBatch + 7
	commits := make([]store.Commit, n)
	for i := range commits {
		commits[i] = testCommit(i, "fix: bug")
	}
	insertCommits(t, env.DB, "octo/many", commits)
	l := newConventionalLabeler(commitlabeler.Default())

	// Cancelled after the first batch: that batch is stored whole, the rerun
	// finishes exactly the rest.
	ctx, cancel := context.WithCancel(context.Background())
	env.Progress = func(string, int) Progress { return cancellingProgress{cancel} }
	if _, err := runLabelers(ctx, env, []labeler{l}); err == nil {
		t.Fatal("cancelled run succeeded")
	}
	if rows := len(labelRows(t, env.DB)); rows != 2*labelWriteBatch {
		t.Fatalf("cancelled run left %d rows, want %d (one batch)", rows, 2*labelWriteBatch)
	}
	env.Progress = NoProgress
	counts, err := runLabelers(context.Background(), env, []labeler{l})
	if err != nil {
		t.Fatal(err)
	}
	if counts["conventional.labeled"] != int64(n-labelWriteBatch) {
		t.Fatalf("rerun labeled %d, want %d", counts["conventional.labeled"], n-labelWriteBatch)
	}

	// A new labeler version relabels everything.
	l.version += "-next"
	counts, err = runLabelers(context.Background(), env, []labeler{l})
	if err != nil {
		t.Fatal(err)
	}
	if counts["conventional.labeled"] != int64(n) {
		t.Fatalf("new version labeled %d, want %d", counts["conventional.labeled"], n)
	}
}

func BenchmarkConventionalLabeler(b *testing.B) {
	env := newTestEnv(b)
	commits := make([]store.Commit, 5000)
	subjects := []string{"feat(api): add", "fix(i18n): typo", "plain subject", `Revert "x"`}
	for i := range commits {
		commits[i] = testCommit(i, subjects[i%len(subjects)])
	}
	insertCommits(b, env.DB, "octo/bench", commits)
	vocab := commitlabeler.Default()
	runs := 0
	for b.Loop() {
		runs++
		l := newConventionalLabeler(vocab)
		l.version += string(rune('a' + runs%26)) // a fresh version labels every commit again
		if _, err := runLabelers(context.Background(), env, []labeler{l}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(commits)*runs)/b.Elapsed().Seconds(), "commits/s")
}

// TestConventionalLabelsMatchCorpus checks the labeler against the labels
// the corpus derived from the same subjects.
func TestConventionalLabelsMatchCorpus(t *testing.T) {
	f, err := os.Open(corpusSample)
	if errors.Is(err, fs.ErrNotExist) {
		t.Skip("../shared/data absent: corpus check skipped")
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	vocab := commitlabeler.Default()
	dec := json.NewDecoder(f)
	n := 0
	for {
		var rec struct {
			Subject string   `json:"subject"`
			Labels  []string `json:"labels"`
		}
		if err := dec.Decode(&rec); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("record %d: %v", n+1, err)
		}
		n++
		var got []string
		for _, l := range conventionalLabels(rec.Subject, vocab) {
			got = append(got, l.Label)
		}
		if !reflect.DeepEqual(got, rec.Labels) {
			t.Errorf("record %d: labels %v, corpus %v", n, got, rec.Labels)
		}
	}
	if n == 0 {
		t.Fatal("corpus sample is empty")
	}
}
