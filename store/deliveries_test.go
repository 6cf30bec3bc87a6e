package store

import (
	"context"
	"database/sql"
	"errors"
	"testing"
)

func TestDeliveriesDeduplicateAndFinish(t *testing.T) {
	db := openTestDB(t)
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
}
