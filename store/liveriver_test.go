package store

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/commit-labeler/commit-labeler/internal/pgtest"
)

// TestLiveRiverWorksAgainAfterPostgreSQLRestarts restarts the server under
// a LiveRiver: it must stop working under the id whose liveness the
// restart dropped, and, once the server is back, work a job inserted
// afterwards under a fresh id, within seconds.
func TestLiveRiverWorksAgainAfterPostgreSQLRestarts(t *testing.T) {
	cluster := pgtest.Start(t)
	source, err := cluster.CreateDatabase("live")
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	db, err := Open(ctx, source)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.MigrateRiver(ctx, nil); err != nil {
		t.Fatal(err)
	}
	type worked struct {
		n  int
		by string
	}
	done := make(chan worked, 8)
	var ids atomic.Int64
	newID := func() string { return fmt.Sprintf("live-%d", ids.Add(1)) }
	newClient := func(_ context.Context, id string) (*river.Client[*sql.Tx], error) {
		workers := river.NewWorkers()
		river.AddWorker(workers, river.WorkFunc(func(_ context.Context, j *river.Job[probeArgs]) error {
			done <- worked{j.Args.N, id}
			return nil
		}))
		return river.NewClient(db.RiverDriver(), &river.Config{
			ID:                id,
			Queues:            map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 1}},
			Workers:           workers,
			FetchPollInterval: 100 * time.Millisecond,
		})
	}
	live, err := db.StartLiveRiver(ctx, newID, newClient, slog.New(slog.NewTextHandler(t.Output(), nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := live.Stop(context.Background()); err != nil {
			t.Error(err)
		}
	})
	insert := func(n int) error {
		return db.Tx(ctx, func(tx *sql.Tx) error {
			_, err := live.Client().InsertTx(ctx, tx, probeArgs{N: n}, nil)
			return err
		})
	}
	await := func(n int, within time.Duration) worked {
		t.Helper()
		select {
		case w := <-done:
			if w.n != n {
				t.Fatalf("job %d worked, want %d", w.n, n)
			}
			return w
		case <-time.After(within):
			t.Fatalf("job %d not worked within %v", n, within)
			return worked{}
		}
	}
	if err := insert(1); err != nil {
		t.Fatal(err)
	}
	before := await(1, 10*time.Second)

	if err := cluster.Restart(time.Second); err != nil {
		t.Fatal(err)
	}
	back := time.Now()
	// The restart dropped the liveness of before.by: its client stops
	// within a probe, and a fresh id works once the server answers.
	for live.ID() == before.by {
		if time.Since(back) > 10*time.Second {
			t.Fatalf("still working under %s, whose liveness the restart dropped, %v after", before.by, time.Since(back))
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("working under %s %v after the server was back", live.ID(), time.Since(back).Round(time.Millisecond))
	if err := insert(2); err != nil {
		t.Fatalf("insert after the restart: %v", err)
	}
	if after := await(2, 5*time.Second); after.by != live.ID() {
		t.Errorf("job worked by %s, the LiveRiver works under %s", after.by, live.ID())
	}
}
