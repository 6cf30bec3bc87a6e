package store

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/riverqueue/river"
)

// probeArgs is a job whose work reports when it ran.
type probeArgs struct {
	N int `json:"n"`
}

func (probeArgs) Kind() string { return "store_probe" }

// TestRiverPicksUpAJobOnNotify inserts jobs the way the webhook intake
// does (in a store transaction, beside their rows) while the client's
// poll interval is long: on PostgreSQL each must be worked at once, on the
// NOTIFY its commit sends.
func TestRiverPicksUpAJobOnNotify(t *testing.T) {
	const pollEvery = 10 * time.Second
	db := testEngines[1].open(t)
	ctx := t.Context()
	if err := db.MigrateRiver(ctx, nil); err != nil {
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
	if err := client.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Stop(context.Background()) })
	insert := func(n int) {
		t.Helper()
		err := db.Tx(ctx, func(tx *sql.Tx) error {
			_, err := client.InsertManyFastTx(ctx, tx, []river.InsertManyParams{{Args: probeArgs{N: n}}})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
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
	// The first job may come before the client listens; the poll, at the
	// latest, brings it.
	insert(0)
	await(0, 2*pollEvery)
	for n := 1; n <= 3; n++ {
		// Past the client's insert notification limit (its fetch cooldown).
		time.Sleep(50 * time.Millisecond)
		insert(n)
		if took := await(n, pollEvery/2); took > time.Second {
			t.Errorf("job %d worked %v after its commit, want well under the poll interval %v", n, took, pollEvery)
		}
	}
}

// TestDeliveryAndJobRollBackTogether: a transaction that stores deliveries
// and inserts their jobs, then fails, leaves neither.
func TestDeliveryAndJobRollBackTogether(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e testEngine) {
		db := e.open(t)
		ctx := t.Context()
		if err := db.MigrateRiver(ctx, nil); err != nil {
			t.Fatal(err)
		}
		client, err := river.NewClient(db.RiverDriver(), &river.Config{})
		if err != nil {
			t.Fatal(err)
		}
		failed := errors.New("the batch fails after its inserts")
		err = db.Tx(ctx, func(tx *sql.Tx) error {
			fresh, err := db.InsertDeliveriesTx(ctx, tx, []Delivery{
				{ID: "a", Event: "pull_request", Payload: []byte(`{}`)},
				{ID: "b", Event: "pull_request", Payload: []byte(`{}`)},
			})
			if err != nil {
				return err
			}
			if len(fresh) != 2 || !fresh[0] || !fresh[1] {
				t.Errorf("fresh %v", fresh)
			}
			if _, err := client.InsertManyFastTx(ctx, tx, []river.InsertManyParams{{Args: probeArgs{N: 1}}, {Args: probeArgs{N: 2}}}); err != nil {
				return err
			}
			return failed
		})
		if !errors.Is(err, failed) {
			t.Fatalf("Tx: %v", err)
		}
		for _, table := range []string{"deliveries", "delivery_payloads", "river_job"} {
			var n int
			if err := db.SQL().QueryRowContext(ctx, "SELECT count(*) FROM "+table).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != 0 {
				t.Errorf("%s holds %d rows after the rollback", table, n)
			}
		}
	})
}
