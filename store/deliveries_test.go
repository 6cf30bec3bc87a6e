package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"
)

func TestDeliveriesDeduplicateAndFinish(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e testEngine) {
		db := e.open(t)
		ctx := context.Background()
		d := Delivery{ID: "guid-1", Event: "pull_request", Action: "opened", InstallationID: 7, Repo: "o/r", Payload: []byte(`{}`)}
		insert := func(d Delivery) bool {
			t.Helper()
			var fresh bool
			if err := db.Tx(ctx, func(tx *sql.Tx) (err error) { fresh, err = InsertDeliveryTx(ctx, tx, d); return err }); err != nil {
				t.Fatal(err)
			}
			return fresh
		}
		if !insert(d) {
			t.Fatal("first insert not new")
		}
		if insert(Delivery{ID: "guid-1", Event: "push", Payload: []byte(`{"other":1}`)}) {
			t.Fatal("redelivered GUID stored twice")
		}
		got, err := db.Delivery(ctx, "guid-1")
		if err != nil {
			t.Fatal(err)
		}
		if got.Event != "pull_request" || got.Action != "opened" || got.InstallationID != 7 || got.Repo != "o/r" ||
			string(got.Payload) != `{}` || got.Status != DeliveryQueued || got.ReceivedAt.IsZero() {
			t.Fatalf("stored %+v", got)
		}
		if err := db.FinishDelivery(ctx, "guid-1", DeliveryFailed, errors.New("boom")); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.Delivery(ctx, "guid-1"); got.Status != DeliveryFailed || got.Error != "boom" {
			t.Fatalf("after finish: %+v", got)
		}
		if err := db.FinishDelivery(ctx, "nope", DeliveryDone, nil); !errors.Is(err, ErrDeliveryNotFound) {
			t.Fatalf("finish unknown: %v", err)
		}
		if _, err := db.Delivery(ctx, "nope"); !errors.Is(err, ErrDeliveryNotFound) {
			t.Fatalf("get unknown: %v", err)
		}
		known, err := db.KnownDeliveries(ctx, []string{"guid-1", "nope"})
		if err != nil || !known["guid-1"] || known["nope"] {
			t.Fatalf("known = %v, %v", known, err)
		}
		counts, err := db.DeliveryCounts(ctx)
		if err != nil || counts[DeliveryFailed] != 1 || len(counts) != 1 {
			t.Fatalf("counts = %v, %v", counts, err)
		}
	})
}

// TestPayloadMigrationKeepsDeliveries opens a file written before payloads
// had a table of their own (schema 3): every stored delivery keeps its payload.
func TestPayloadMigrationKeepsDeliveries(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e testEngine) {
		db, err := openAfter(t, e, 3, `INSERT INTO deliveries (delivery_id, event, received_at, payload, status)
		VALUES ('old-1', 'push', '2026-11-01T00:00:00Z', '{"ref":"x"}', 'queued')`)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		got, err := db.Delivery(context.Background(), "old-1")
		if err != nil || string(got.Payload) != `{"ref":"x"}` || got.Event != "push" {
			t.Fatalf("after migration: %+v, %v", got, err)
		}
	})
}

// TestPayloadStoredCompressed: a payload is stored packed and read back as received.
func TestPayloadStoredCompressed(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e testEngine) {
		db := e.open(t)
		ctx := context.Background()
		payload := []byte(`{"items":[` + strings.Repeat(`{"url":"https://api.github.com/repos/o/r/pulls/1"},`, 600) + `{}]}`)
		d := Delivery{ID: "big", Event: "push", Payload: payload}
		d.Pack() // as the intake does, before its transaction
		if err := db.Tx(ctx, func(tx *sql.Tx) error { _, err := InsertDeliveryTx(ctx, tx, d); return err }); err != nil {
			t.Fatal(err)
		}
		var stored int
		if err := db.SQL().QueryRow(`SELECT length(payload) FROM delivery_payloads`).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		got, err := db.Delivery(ctx, "big")
		if err != nil || string(got.Payload) != string(payload) {
			t.Fatalf("read back %d bytes, %v; want the %d received", len(got.Payload), err, len(payload))
		}
		if stored*3 > len(payload) {
			t.Fatalf("%d-byte payload stored in %d bytes", len(payload), stored)
		}
		// Kept in memory for its job, the packed payload holds little more than
		// its bytes (an allocation's size class), not the encoder's room.
		if packed := d.Packed(); cap(packed) > len(packed)*5/4+16 || len(packed) != stored {
			t.Fatalf("packed payload: %d bytes in a capacity of %d, %d stored", len(packed), cap(packed), stored)
		}
	})
}

// openAfter writes a new database of engine e at schema version (its
// first migrations only), runs rows on it, and opens it with Open, which
// migrates the rest: what a database written by an older bot goes through.
func openAfter(t *testing.T, e testEngine, version int, rows string) (*DB, error) {
	t.Helper()
	source := e.source(t)
	driver := "pgx"
	if e.dialect.engine == SQLite {
		driver = "sqlite3"
	}
	raw, err := sql.Open(driver, source)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	ms, err := loadMigrations(e.dialect.migrations)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms[:version] {
		if _, err := raw.Exec(m.sql); err != nil {
			t.Fatalf("%s: %v", m.name, err)
		}
	}
	for _, q := range []string{e.dialect.ensureVersion, e.dialect.setVersion(version), rows} {
		if q == "" {
			continue
		}
		if _, err := raw.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	raw.Close()
	return Open(context.Background(), source)
}
