package pipeline

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	commitlabeler "github.com/commit-labeler/commit-labeler"
	"github.com/commit-labeler/commit-labeler/internal/fakeollama"
	"github.com/commit-labeler/commit-labeler/store"
)

func TestLabelersFor(t *testing.T) {
	tests := []struct {
		labeler string
		want    []string
		err     string
	}{
		{LabelerConventional, []string{"human", "conventional"}, ""},
		{LabelerOllama, []string{"human", "ollama"}, ""},
		{LabelerAll, []string{"human", "conventional", "ollama"}, ""},
		{"gpt", nil, `labeler "gpt"`},
	}
	for _, tt := range tests {
		o := DefaultOptions()
		o.Labeler = tt.labeler
		ls, err := labelersFor(o, commitlabeler.Default())
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%s: err = %v, want %q", tt.labeler, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", tt.labeler, err)
		}
		var got []string
		for _, l := range ls {
			got = append(got, l.source())
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: labelers %v, want %v", tt.labeler, got, tt.want)
		}
	}
}

// TestLabelPrecedence runs the whole phase with every labeler and checks
// that EffectiveLabels keeps human > conventional > ollama.
func TestLabelPrecedence(t *testing.T) {
	ctx := context.Background()
	env := newTestEnv(t)
	env.Options.Labeler = LabelerAll
	host := fakeollama.New(t, correctModel)
	env.Options.Ollama.Hosts = []string{host.URL}
	subjects := []string{
		"fix: crash on start",    // corrected by a human to perf
		"feat: add export",       // conventional feat beats ollama other
		"docs update the readme", // no header: ollama docs
		"test: add cases",        // human added then removed ci: conventional test
		"plain without header",   // not sampled: no label at all
		"fix: tidy imports",      // a human removed fix and named nothing: no label
	}
	commits := make([]store.Commit, len(subjects))
	for i, s := range subjects {
		commits[i] = testCommit(i, s)
	}
	ids := insertCommits(t, env.DB, "octo/app", commits)
	sampleAll(t, env.DB, ids[:4])
	base := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	for i, c := range []store.Correction{
		{SHAs: []string{commits[0].SHA}, Label: "fix", Action: store.CorrectionRemoved},
		{SHAs: []string{commits[0].SHA}, Label: "perf", Action: store.CorrectionAdded},
		{SHAs: []string{commits[3].SHA}, Label: "ci", Action: store.CorrectionAdded},
		{SHAs: []string{commits[3].SHA}, Label: "ci", Action: store.CorrectionRemoved},
		{SHAs: []string{commits[3].SHA}, Label: "type: ci", Action: store.CorrectionAdded},
		{SHAs: []string{"0123456789abcdef0123456789abcdef01234567"}, Label: "feat", Action: store.CorrectionAdded},
		{SHAs: []string{commits[5].SHA}, Label: "fix", Action: store.CorrectionRemoved},
	} {
		c.Repo, c.PullNumber, c.CreatedAt = "octo/app", 7, base.Add(time.Duration(i)*time.Minute)
		if err := env.DB.AddCorrection(ctx, c); err != nil {
			t.Fatal(err)
		}
	}

	counts, err := Label(ctx, env)
	if err != nil {
		t.Fatal(err)
	}
	want := map[int64]string{ids[0]: "human perf", ids[1]: "conventional feat", ids[2]: "ollama docs", ids[3]: "conventional test"}
	effective := func() map[int64]string {
		eff, err := env.DB.EffectiveLabels(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got := map[int64]string{}
		for _, e := range eff {
			names := make([]string, len(e.Labels))
			for i, l := range e.Labels {
				names[i] = l.Label
			}
			got[e.CommitID] = e.Source + " " + strings.Join(names, ",")
		}
		return got
	}
	if got := effective(); !reflect.DeepEqual(got, want) {
		t.Errorf("effective labels = %v, want %v", got, want)
	}
	for k, v := range map[string]int64{
		"human.labeled": 1, "human.cleared": 2, "human.unknown_commit": 1, "human.invalid_label": 1, "human.label.perf": 1,
		"conventional.labeled": 4, "conventional.none": 2,
		"ollama.labeled": 4, "ollama.label.docs": 1, "ollama.label.other": 3,
	} {
		if counts[k] != v {
			t.Errorf("count %s = %d, want %d (all: %v)", k, counts[k], v, counts)
		}
	}

	// Rerunning changes nothing; a later correction replaces the human labels.
	before := labelRows(t, env.DB)
	if _, err := Label(ctx, env); err != nil {
		t.Fatal(err)
	}
	if after := labelRows(t, env.DB); !reflect.DeepEqual(before, after) {
		t.Errorf("rerun changed rows:\n%v\n%v", before, after)
	}
	if err := env.DB.AddCorrection(ctx, store.Correction{Repo: "octo/app", SHAs: []string{commits[1].SHA},
		Label: "build", Action: store.CorrectionAdded, CreatedAt: base.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if _, err := Label(ctx, env); err != nil {
		t.Fatal(err)
	}
	want[ids[1]] = "human build"
	if got := effective(); !reflect.DeepEqual(got, want) {
		t.Errorf("after a new correction: %v, want %v", got, want)
	}
}

func TestFoldCorrections(t *testing.T) {
	c := func(sha, label, action string) store.CommitCorrection {
		return store.CommitCorrection{CommitID: int64(len(sha)), Repo: "o/r", SHA: sha, Label: label, Action: action, PullNumber: 3}
	}
	add, rm := store.CorrectionAdded, store.CorrectionRemoved
	tests := []struct {
		name    string
		in      []store.CommitCorrection
		want    map[string][]string // sha → labels
		invalid int
	}{
		{"added", []store.CommitCorrection{c("a", "fix", add)}, map[string][]string{"a": {"fix"}}, 0},
		{"added then removed", []store.CommitCorrection{c("a", "fix", add), c("a", "fix", rm)}, map[string][]string{"a": nil}, 0},
		{"removed then added", []store.CommitCorrection{c("a", "fix", rm), c("a", "fix", add)}, map[string][]string{"a": {"fix"}}, 0},
		{"swap", []store.CommitCorrection{c("a", "feat", add), c("a", "fix", add), c("a", "feat", rm)}, map[string][]string{"a": {"fix"}}, 0},
		{"order of latest action", []store.CommitCorrection{c("a", "fix", add), c("a", "i18n", add), c("a", "fix", rm), c("a", "fix", add)},
			map[string][]string{"a": {"i18n", "fix"}}, 0},
		{"two commits", []store.CommitCorrection{c("a", "fix", add), c("bb", "docs", add), c("bb", "ci", add)},
			map[string][]string{"a": {"fix"}, "bb": {"docs", "ci"}}, 0},
		{"unknown label", []store.CommitCorrection{c("a", "type: fix", add), c("a", "docs", add)}, map[string][]string{"a": {"docs"}}, 1},
	}
	for _, tt := range tests {
		out, invalid := foldCorrections(tt.in, commitlabeler.Default())
		got := map[string][]string{}
		for _, cc := range out {
			var names []string
			for _, l := range cc.labels {
				if l.Confidence != 1 || !strings.Contains(l.Reason, "#3") {
					t.Errorf("%s: label %+v: want confidence 1 and the pull request", tt.name, l)
				}
				names = append(names, l.Label)
			}
			got[cc.sha] = names
			if cc.commitID != int64(len(cc.sha)) {
				t.Errorf("%s: commit id %d for %s", tt.name, cc.commitID, cc.sha)
			}
		}
		if !reflect.DeepEqual(got, tt.want) || invalid != tt.invalid {
			t.Errorf("%s: %v, %d invalid; want %v, %d", tt.name, got, invalid, tt.want, tt.invalid)
		}
	}
}
