package store

import (
	"bytes"
	"context"
	"database/sql"
	"testing"
	"time"
)

// TestCopyToEitherEngine copies a SQLite store holding deliveries (one
// still queued), a correction, a run and a repository model into an
// empty database of each engine: every row arrives, the queued delivery
// is listed for enqueueing again, new rows get fresh ids, and a second
// copy into the now full database is refused.
func TestCopyToEitherEngine(t *testing.T) {
	ctx := context.Background()
	src := testEngines[0].open(t)
	err := src.Tx(ctx, func(tx *sql.Tx) error {
		for _, d := range []Delivery{
			{ID: "guid-done", Event: "push", Repo: "o/r", ReceivedAt: time.Now(), Payload: []byte(`{"ref":"refs/heads/main"}`)},
			{ID: "guid-queued", Event: "pull_request", Action: "opened", InstallationID: 7, Repo: "o/r", ReceivedAt: time.Now(), Payload: []byte(`{"action":"opened"}`)},
		} {
			if _, err := InsertDeliveryTx(ctx, tx, d); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := src.FinishDelivery(ctx, "guid-done", DeliveryDone, nil); err != nil {
		t.Fatal(err)
	}
	if err := src.AddCorrection(ctx, Correction{Repo: "o/r", SHAs: []string{"abc"}, PullNumber: 2, Label: "fix", Action: CorrectionAdded, Sender: "octocat", CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if _, err := src.StartRun(ctx, "extract", map[string]int{"n": 1}); err != nil {
		t.Fatal(err)
	}
	model := RepositoryModel{Repo: "o/r", CreatedAt: time.Now().UTC().Truncate(time.Second), Accepted: true, Commits: 400, Report: []byte(`{}`), Files: []byte{0x1f, 0x8b, 0, 1, 2}}
	if _, err := src.PublishRepositoryModel(ctx, model); err != nil {
		t.Fatal(err)
	}

	forEachEngine(t, func(t *testing.T, e testEngine) {
		dst := e.open(t)
		copied, err := src.CopyTo(ctx, dst)
		if err != nil {
			t.Fatal(err)
		}
		if copied["deliveries"] != 2 || copied["delivery_payloads"] != 2 || copied["corrections"] != 1 || copied["runs"] != 1 || copied["repository_models"] != 1 {
			t.Fatalf("copied %v", copied)
		}
		d, err := dst.Delivery(ctx, "guid-queued")
		if err != nil || string(d.Payload) != `{"action":"opened"}` || d.InstallationID != 7 || d.Status != DeliveryQueued {
			t.Fatalf("queued delivery after the copy: %+v, %v", d, err)
		}
		queued, err := dst.QueuedDeliveries(ctx)
		if err != nil || len(queued) != 1 || queued[0].ID != "guid-queued" || queued[0].Event != "pull_request" {
			t.Fatalf("queued deliveries %+v, %v", queued, err)
		}
		m, ok, err := dst.RepositoryModel(ctx, "o/r", 1)
		if err != nil || !ok || !bytes.Equal(m.Files, model.Files) || !m.Accepted || m.Commits != 400 {
			t.Fatalf("repository model after the copy: %+v %v %v", m, ok, err)
		}
		if v, err := dst.PublishRepositoryModel(ctx, model); err != nil || v != 2 {
			t.Fatalf("next version %d, %v", v, err)
		}
		if id, err := dst.StartRun(ctx, "label", nil); err != nil || id != 2 {
			t.Fatalf("a new run after the copy got id %d, %v; want 2", id, err)
		}
		if _, err := src.CopyTo(ctx, dst); err == nil {
			t.Fatal("a copy into a database holding deliveries was not refused")
		}
	})
}
