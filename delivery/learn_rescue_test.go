package delivery_test

import (
	"context"
	"testing"
	"time"

	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/rivertype"

	"github.com/commit-labeler/commit-labeler/delivery"
	"github.com/commit-labeler/commit-labeler/internal/pgtest"
	"github.com/commit-labeler/commit-labeler/learnjob"
	"github.com/commit-labeler/commit-labeler/store"
)

// TestBotRescuesALearnJobAfterItsWorkersTimeout: learn jobs left running
// by a worker that died 2 min 5 s ago, with no live worker to take them
// over; a bot starts and, leading River's rescuer, retries the one whose
// worker recorded `--job-timeout 2m`, and leaves running the one whose
// worker recorded 10 min, the one whose worker recorded nothing (the
// 30-minute default applies) and the one whose record is of an earlier
// attempt. On SQLite and on PostgreSQL.
func TestBotRescuesALearnJobAfterItsWorkersTimeout(t *testing.T) {
	pgtest.OnBothEngines(t, botRescuesLearnJob)
}

func botRescuesLearnJob(t *testing.T, path string) {
	ctx := context.Background()
	db := openStore(t, path)
	defer db.Close()
	if err := db.MigrateRiver(ctx, quietLog()); err != nil {
		t.Fatal(err)
	}
	learn, err := delivery.NewLearnQueue(db)
	if err != nil {
		t.Fatal(err)
	}
	exec := db.RiverDriver().GetExecutor()
	attempted := time.Now().UTC().Add(-2*time.Minute - 5*time.Second)
	var rescued int64
	kept := map[string]int64{}
	for _, j := range []struct {
		repo                     string
		attempt, recordedAttempt int
		recorded                 time.Duration
		wantRescued              bool
	}{
		{"o/timeout-2m", 1, 1, 2 * time.Minute, true},
		{"o/timeout-10m", 1, 1, 10 * time.Minute, false},
		{"o/unrecorded", 1, 0, 0, false},
		{"o/earlier-attempt", 2, 1, 2 * time.Minute, false},
	} {
		if _, err := learn.EnqueueLearn(ctx, learnjob.Args{Repo: j.repo, Reason: learnjob.ReasonManual}); err != nil {
			t.Fatal(err)
		}
		var id int64
		if err := db.SQL().QueryRowContext(ctx, `SELECT id FROM river_job WHERE kind = ? ORDER BY id DESC LIMIT 1`, learnjob.Kind).Scan(&id); err != nil {
			t.Fatal(err)
		}
		row, err := exec.JobUpdateFull(ctx, &riverdriver.JobUpdateFullParams{ID: id,
			StateDoUpdate: true, State: rivertype.JobStateRunning,
			AttemptDoUpdate: true, Attempt: j.recordedAttempt,
			AttemptedAtDoUpdate: true, AttemptedAt: &attempted,
			AttemptedByDoUpdate: true, AttemptedBy: []string{"worker-dead-1"},
		})
		if err != nil {
			t.Fatal(err)
		}
		if j.recorded > 0 {
			if err := learnjob.RecordTimeout(ctx, exec, row, j.recorded); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := exec.JobUpdateFull(ctx, &riverdriver.JobUpdateFullParams{ID: id, AttemptDoUpdate: true, Attempt: j.attempt}); err != nil {
			t.Fatal(err)
		}
		if j.wantRescued {
			rescued = id
		} else {
			kept[j.repo] = id
		}
	}

	startBot(t, path, nil)
	deadline := time.Now().Add(30 * time.Second)
	for state := jobState(t, db, rescued); state == rivertype.JobStateRunning; state = jobState(t, db, rescued) {
		if time.Now().After(deadline) {
			t.Fatalf("the job whose worker recorded a 2-minute timeout is still running 2 min 35 s after its attempt began")
		}
		time.Sleep(100 * time.Millisecond)
	}
	for repo, id := range kept {
		if state := jobState(t, db, id); state != rivertype.JobStateRunning {
			t.Errorf("%s: %s, want still running", repo, state)
		}
	}
}

// jobState is the state of River job id.
func jobState(t *testing.T, db *store.DB, id int64) rivertype.JobState {
	t.Helper()
	var state rivertype.JobState
	if err := db.SQL().QueryRowContext(context.Background(), `SELECT state FROM river_job WHERE id = ?`, id).Scan(&state); err != nil {
		t.Fatal(err)
	}
	return state
}
