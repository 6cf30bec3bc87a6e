package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/riverqueue/river"
)

// probeArgs is a job whose work reports when it ran.
type probeArgs struct {
	N int `json:"n"`
}

func (probeArgs) Kind() string { return "store_probe" }

// probeJob is the intake's job of a delivery whose ID is a probe's number.
var probeJob = DeliveryJob{Kind: probeArgs{}.Kind(), MaxAttempts: 3, Args: func(d *Delivery) ([]byte, error) {
	var a probeArgs
	_, err := fmt.Sscan(d.ID, &a.N)
	if err != nil {
		return nil, err
	}
	return json.Marshal(a)
}}

// startProbeWorker starts a River client working probe jobs on db, which
// polls only every pollEvery, and returns what reports each job's number.
func startProbeWorker(t *testing.T, db *DB, pollEvery time.Duration) (*river.Client[*sql.Tx], <-chan int) {
	t.Helper()
	if err := db.MigrateRiver(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
	worked := make(chan int, 8)
	workers := river.NewWorkers()
	river.AddWorker(workers, river.WorkFunc(func(_ context.Context, j *river.Job[probeArgs]) error {
		worked <- j.Args.N
		return nil
	}))
	client, err := river.NewClient(db.RiverDriver(), &river.Config{
		Queues:            map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 1}},
		Workers:           workers,
		FetchPollInterval: pollEvery,
		FetchCooldown:     10 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := client.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Stop(context.Background()) })
	return client, worked
}

// TestRiverPicksUpAJobOnNotify inserts jobs as the bot does while the
// client's poll interval is long: on PostgreSQL each must be worked at
// once, on the NOTIFY its commit sends, whether River inserted it in a
// store transaction (learn jobs, deliveries moved by `bot migrate`) or the
// intake's statement did.
func TestRiverPicksUpAJobOnNotify(t *testing.T) {
	const pollEvery = 10 * time.Second
	for _, tc := range []struct {
		name   string
		insert func(ctx context.Context, db *DB, client *river.Client[*sql.Tx], n int) error
	}{
		{"river insert in a store transaction", func(ctx context.Context, db *DB, client *river.Client[*sql.Tx], n int) error {
			return db.Tx(ctx, func(tx *sql.Tx) error {
				_, err := client.InsertManyFastTx(ctx, tx, []river.InsertManyParams{{Args: probeArgs{N: n}}})
				return err
			})
		}},
		{"intake statement", func(ctx context.Context, db *DB, _ *river.Client[*sql.Tx], n int) error {
			conn, err := db.SQL().Conn(ctx)
			if err != nil {
				return err
			}
			defer conn.Close()
			_, err = db.StoreDeliveriesWithJobs(ctx, conn, []Delivery{{ID: fmt.Sprint(n), Event: "ping", Payload: []byte(`{}`)}}, probeJob)
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := testEngines[1].open(t)
			ctx := t.Context()
			client, worked := startProbeWorker(t, db, pollEvery)
			await := func(n int, within time.Duration) time.Duration {
				t.Helper()
				start := time.Now()
				select {
				case got := <-worked:
					if got != n {
						t.Fatalf("worked job %d, want %d", got, n)
					}
				case <-time.After(within):
					t.Fatalf("job %d not worked within %v", n, within)
				}
				return time.Since(start)
			}
			// The first job may come before the client listens; the poll,
			// at the latest, brings it.
			if err := tc.insert(ctx, db, client, 0); err != nil {
				t.Fatal(err)
			}
			await(0, 2*pollEvery)
			for n := 1; n <= 3; n++ {
				// Past the client's insert notification limit (its fetch cooldown).
				time.Sleep(50 * time.Millisecond)
				if err := tc.insert(ctx, db, client, n); err != nil {
					t.Fatal(err)
				}
				if took := await(n, pollEvery/2); took > time.Second {
					t.Errorf("job %d worked %v after its commit, want well under the poll interval %v", n, took, pollEvery)
				}
			}
		})
	}
}
