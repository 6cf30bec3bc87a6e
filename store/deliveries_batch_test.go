package store

import (
	"errors"
	"slices"
	"testing"
)

func TestStoreDeliveriesWithJobs(t *testing.T) {
	db := testEngines[1].open(t)
	ctx := t.Context()
	if err := db.MigrateRiver(ctx, nil); err != nil {
		t.Fatal(err)
	}
	conn, err := db.SQL().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	store := func(job DeliveryJob, ds ...Delivery) ([]bool, error) {
		return db.StoreDeliveriesWithJobs(ctx, conn, ds, job)
	}
	if got, err := store(probeJob, Delivery{ID: "1", Event: "ping", Payload: []byte(`{"zen":1}`)}); err != nil || !slices.Equal(got, []bool{true}) {
		t.Fatalf("first batch: fresh %v, %v", got, err)
	}
	batch := []Delivery{
		{ID: "2", Event: "pull_request", Action: "opened", InstallationID: 7, Repo: "o/r", Payload: []byte(`{"a":1}`)},
		{ID: "1", Event: "push", Payload: []byte(`{"other":1}`)},
		{ID: "3", Event: "push", Payload: []byte(`{"b":2}`)},
		{ID: "2", Event: "push", Payload: []byte(`{"a":"again"}`)},
	}
	if got, err := store(probeJob, batch...); err != nil || !slices.Equal(got, []bool{true, false, true, false}) {
		t.Fatalf("fresh %v, %v; want [true false true false]", got, err)
	}
	if got, err := store(probeJob); err != nil || len(got) != 0 {
		t.Fatalf("empty batch: fresh %v, %v", got, err)
	}
	for _, want := range []Delivery{
		{ID: "1", Event: "ping", Payload: []byte(`{"zen":1}`)},
		{ID: "2", Event: "pull_request", Action: "opened", InstallationID: 7, Repo: "o/r", Payload: []byte(`{"a":1}`)},
		{ID: "3", Event: "push", Payload: []byte(`{"b":2}`)},
	} {
		got, err := db.Delivery(ctx, want.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Event != want.Event || got.Action != want.Action || got.InstallationID != want.InstallationID ||
			got.Repo != want.Repo || string(got.Payload) != string(want.Payload) || got.Status != DeliveryQueued || got.ReceivedAt.IsZero() {
			t.Errorf("stored %+v, want %+v", got, want)
		}
	}
	// One job per new delivery, as River's own insert would write it.
	rows, err := db.SQL().QueryContext(ctx, `SELECT args, kind, max_attempts, state, queue, priority FROM river_job ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var jobs []string
	for rows.Next() {
		var args, kind, state, queue string
		var attempts, priority int
		if err := rows.Scan(&args, &kind, &attempts, &state, &queue, &priority); err != nil {
			t.Fatal(err)
		}
		if kind != probeJob.Kind || attempts != probeJob.MaxAttempts || state != "available" || queue != "default" || priority != 1 {
			t.Errorf("job %s: kind %s, %d attempts, %s in %s, priority %d", args, kind, attempts, state, queue, priority)
		}
		jobs = append(jobs, args)
	}
	if want := []string{`{"n": 1}`, `{"n": 2}`, `{"n": 3}`}; !slices.Equal(jobs, want) {
		t.Errorf("jobs %q, want %q", jobs, want)
	}

	// A batch that fails leaves neither its deliveries nor their jobs.
	noAttempts := probeJob
	noAttempts.MaxAttempts = 0 // River's table refuses it
	if _, err := store(noAttempts, Delivery{ID: "4", Event: "push", Payload: []byte(`{}`)}); err == nil {
		t.Fatal("a job River's table refuses was stored")
	}
	for table, want := range map[string]int{"deliveries": 3, "delivery_payloads": 3, "river_job": 3} {
		var n int
		if err := db.SQL().QueryRowContext(ctx, "SELECT count(*) FROM "+table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != want {
			t.Errorf("%s holds %d rows after the failed batch, want %d", table, n, want)
		}
	}
}

func TestStoreDeliveriesWithJobsIsPostgreSQLs(t *testing.T) {
	db := testEngines[0].open(t)
	conn, err := db.SQL().Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := db.StoreDeliveriesWithJobs(t.Context(), conn, nil, probeJob); !errors.Is(err, errNotPostgreSQL) {
		t.Fatalf("on SQLite: %v", err)
	}
}
