package learnjob

import (
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river/rivertype"

	"github.com/commit-labeler/commit-labeler/store"
)

// TestStatusesFlagStrandedJobs: a job waiting while no worker is alive,
// or running on a worker that stopped answering, is stranded; one that a
// live worker runs or will take is not, nor is a finished one.
func TestStatusesFlagStrandedJobs(t *testing.T) {
	now := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	alive := store.Worker{ID: "w-alive", Heartbeat: time.Second, SeenAt: now.Add(-time.Second)}
	dead := store.Worker{ID: "w-dead", Heartbeat: time.Second, SeenAt: now.Add(-time.Minute)}
	stopped := store.Worker{ID: "w-stopped", Heartbeat: time.Second, SeenAt: now, StoppedAt: now}
	job := func(state rivertype.JobState, by ...string) *rivertype.JobRow {
		return &rivertype.JobRow{ID: 1, State: state, Attempt: 1, MaxAttempts: MaxAttempts, AttemptedBy: by,
			EncodedArgs: []byte(`{"repo":"acme/app","reason":"correction"}`)}
	}
	for _, tc := range []struct {
		name     string
		job      *rivertype.JobRow
		workers  []store.Worker
		stranded string // a part of Stranded, "" for none
	}{
		{"waiting, a worker alive", job(rivertype.JobStateAvailable), []store.Worker{dead, alive}, ""},
		{"waiting, no worker alive", job(rivertype.JobStateAvailable), []store.Worker{dead, stopped}, "no learning worker is alive"},
		{"waiting, no worker ever", job(rivertype.JobStateRetryable), nil, "no learning worker is alive"},
		{"running on a live worker", job(rivertype.JobStateRunning, "w-dead", "w-alive"), []store.Worker{dead, alive}, ""},
		{"running on a dead worker", job(rivertype.JobStateRunning, "w-alive", "w-dead"), []store.Worker{dead, alive}, "its worker w-dead is not alive"},
		{"running on an unknown worker", job(rivertype.JobStateRunning, "w-gone"), []store.Worker{alive}, "its worker w-gone is not alive"},
		{"completed, no worker", job(rivertype.JobStateCompleted, "w-dead"), nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Statuses([]*rivertype.JobRow{tc.job}, tc.workers, now)[0]
			if got.Repo != "acme/app" || got.Reason != "correction" || got.Attempt != 1 || got.MaxAttempts != MaxAttempts {
				t.Errorf("status %+v", got)
			}
			if (tc.stranded == "") != (got.Stranded == "") || !strings.Contains(got.Stranded, tc.stranded) {
				t.Errorf("stranded %q, want %q", got.Stranded, tc.stranded)
			}
		})
	}
}
