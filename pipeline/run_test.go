package pipeline

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/commit-labeler/commit-labeler/classify"
	"github.com/commit-labeler/commit-labeler/internal/gittest"
	"github.com/commit-labeler/commit-labeler/internal/testkind"
)

func TestSelectPhases(t *testing.T) {
	implemented := []string{PhaseClone, PhaseExtract, PhaseStride, PhaseEnrich, PhaseLabel, PhaseTrain, PhaseSummary}
	for _, tc := range []struct {
		only, from string
		want       []string
		fails      bool
	}{
		{want: implemented},
		{only: PhaseStride, want: []string{PhaseStride}},
		{from: PhaseEnrich, want: []string{PhaseEnrich, PhaseLabel, PhaseTrain, PhaseSummary}},
		{only: "bogus", fails: true},
		{from: "bogus", fails: true},
		{only: PhaseClone, from: PhaseLabel, fails: true},
	} {
		got, err := SelectPhases(tc.only, tc.from)
		if (err != nil) != tc.fails || !tc.fails && !reflect.DeepEqual(got, tc.want) {
			t.Errorf("SelectPhases(%q, %q) = %v, %v", tc.only, tc.from, got, err)
		}
	}
}

// allPhases returns every implemented phase, less train when ONNX Runtime
// is not installed (its models could not be loaded).
func allPhases(t *testing.T) []string {
	t.Helper()
	phases, err := SelectPhases("", "")
	if err != nil {
		t.Fatal(err)
	}
	testkind.Register()
	if err := classify.InitRuntime(); errors.Is(err, classify.ErrRuntimeMissing) {
		t.Logf("ONNX Runtime absent (scripts/setup.sh installs it): the train phase is not run: %v", err)
		phases = slices.DeleteFunc(phases, func(p string) bool { return p == PhaseTrain })
	}
	return phases
}

// The whole pipeline over a real repository: every phase succeeds and is
// recorded; a run cancelled in the middle of extract and then rerun leaves
// exactly the rows of one clean run.
func TestRunPhasesEndToEndAndResume(t *testing.T) {
	fx := gittest.History(t)
	newEnv := func() *Env {
		env := newTestEnv(t)
		env.Options.Workdir = filepath.Join(t.TempDir(), "clones")
		env.Options.Repos = []string{fx.Dir}
		env.Options.Models = []string{testkind.Name}
		env.Options.ModelsOut = filepath.Join(t.TempDir(), "models")
		return env
	}
	phases := allPhases(t)

	clean := newEnv()
	results, err := RunPhases(context.Background(), clean, phases)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range results {
		names = append(names, r.Phase)
		if r.Status != "ok" {
			t.Errorf("phase %s: status %s", r.Phase, r.Status)
		}
	}
	if !slices.Equal(names, phases) {
		t.Fatalf("phases run: %v", names)
	}
	byPhase := map[string]Counts{}
	for _, r := range results {
		byPhase[r.Phase] = r.Counts
	}
	n := int64(gittest.HistoryCommits)
	if got := byPhase[PhaseExtract][CountAdded]; got != n {
		t.Errorf("extract added %d, want %d", got, n)
	}
	if got := byPhase[PhaseEnrich]["enriched"]; got != n {
		t.Errorf("enrich built %d, want %d", got, n)
	}
	if got := byPhase[PhaseLabel]["conventional.labeled"] + byPhase[PhaseLabel]["conventional.none"]; got != n {
		t.Errorf("conventional labeler saw %d commits, want %d", got, n)
	}
	if got := byPhase[PhaseStride]["sampled"]; got == 0 || got > n {
		t.Errorf("stride sampled %d of %d", got, n)
	}
	if train, ok := byPhase[PhaseTrain]; ok && train[CountTrainExamples] == 0 {
		t.Errorf("train phase trained on nothing: %v", train)
	}
	runs, err := clean.DB.Runs(context.Background(), 10)
	if err != nil || len(runs) != len(phases) {
		t.Fatalf("runs recorded: %d, %v", len(runs), err)
	}

	// Cancelled in the middle of extract (after its first progress report), then rerun.
	saved := extractBatch
	extractBatch = 50
	t.Cleanup(func() { extractBatch = saved })
	env := newEnv()
	ctx, cancel := context.WithCancel(context.Background())
	env.Progress = func(label string, total int) Progress {
		if strings.HasPrefix(label, PhaseExtract) {
			return cancellingProgress{cancel}
		}
		return NoProgress(label, total)
	}
	results, err = RunPhases(ctx, env, phases)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled run: err = %v", err)
	}
	if last := results[len(results)-1]; last.Phase != PhaseExtract || last.Status != "cancelled" {
		t.Fatalf("cancelled run ended in phase %s with status %s, want extract cancelled", last.Phase, last.Status)
	}
	if stored, _ := env.DB.CountCommits(context.Background()); stored == 0 || stored >= n {
		t.Fatalf("cancelled extract stored %d of %d commits, want some", stored, n)
	}
	env.Progress = NoProgress
	if _, err := RunPhases(context.Background(), env, phases); err != nil {
		t.Fatal(err)
	}
	if got, want := tableDump(t, env.DB), tableDump(t, clean.DB); !slices.Equal(got, want) {
		t.Fatalf("cancelled+rerun rows differ from a clean run: %d vs %d rows", len(got), len(want))
	}
}
