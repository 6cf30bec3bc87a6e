package store

import (
	"context"
	"database/sql"
	"slices"
	"testing"
)

func TestInsertDeliveriesBatch(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e testEngine) {
		db := e.open(t)
		ctx := context.Background()
		insert := func(ds ...Delivery) []bool {
			t.Helper()
			var fresh []bool
			if err := db.Tx(ctx, func(tx *sql.Tx) (err error) { fresh, err = db.InsertDeliveriesTx(ctx, tx, ds); return err }); err != nil {
				t.Fatal(err)
			}
			return fresh
		}
		if got := insert(Delivery{ID: "stored-before", Event: "ping", Payload: []byte(`{"zen":1}`)}); !slices.Equal(got, []bool{true}) {
			t.Fatalf("first batch: fresh %v", got)
		}
		batch := []Delivery{
			{ID: "a", Event: "pull_request", Action: "opened", InstallationID: 7, Repo: "o/r", Payload: []byte(`{"a":1}`)},
			{ID: "stored-before", Event: "push", Payload: []byte(`{"other":1}`)},
			{ID: "b", Event: "push", Payload: []byte(`{"b":2}`)},
			{ID: "a", Event: "push", Payload: []byte(`{"a":"again"}`)},
		}
		if got, want := insert(batch...), []bool{true, false, true, false}; !slices.Equal(got, want) {
			t.Fatalf("fresh %v, want %v", got, want)
		}
		if got := insert(); len(got) != 0 {
			t.Fatalf("empty batch: fresh %v", got)
		}
		for _, want := range []Delivery{
			{ID: "stored-before", Event: "ping", Payload: []byte(`{"zen":1}`)},
			{ID: "a", Event: "pull_request", Action: "opened", InstallationID: 7, Repo: "o/r", Payload: []byte(`{"a":1}`)},
			{ID: "b", Event: "push", Payload: []byte(`{"b":2}`)},
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
	})
}
