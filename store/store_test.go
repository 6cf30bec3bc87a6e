package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

func TestOpenAppliesMigrationsOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.db")
	ctx := context.Background()
	for i := 0; i < 2; i++ {
		db, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		v, err := db.SchemaVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		ms, _ := loadMigrations()
		if v != ms[len(ms)-1].version {
			t.Fatalf("schema version %d, want %d", v, ms[len(ms)-1].version)
		}
		var mode string
		db.SQL().QueryRow("PRAGMA journal_mode").Scan(&mode)
		var fk int
		db.SQL().QueryRow("PRAGMA foreign_keys").Scan(&fk)
		if mode != "wal" || fk != 1 {
			t.Fatalf("journal_mode %q foreign_keys %d, want wal and 1", mode, fk)
		}
		db.Close()
	}
}

func TestOpenRejectsNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.db")
	db, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	db.SQL().Exec("PRAGMA user_version = 999")
	db.Close()
	if _, err := Open(context.Background(), path); err == nil {
		t.Fatal("opening a file with a newer schema succeeded")
	}
}

func TestTxRollsBackOnError(t *testing.T) {
	db := openTestDB(t)
	ctx := context.Background()
	repo, err := db.UpsertRepository(ctx, Repository{Name: "o/r"})
	if err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err = db.Tx(ctx, func(tx *sql.Tx) error {
		w, err := NewCommitWriter(ctx, tx)
		if err != nil {
			return err
		}
		defer w.Close()
		c := Commit{RepoID: repo, SHA: "abc", Files: []File{{Path: "a", Status: "A"}}}
		if _, err := w.Insert(&c); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	if n, _ := db.CountCommits(ctx); n != 0 {
		t.Fatalf("%d commits after rollback, want 0", n)
	}
}

func TestCommitsRoundTrip(t *testing.T) {
	db := openTestDB(t)
	ctx := context.Background()
	repo, _ := db.UpsertRepository(ctx, Repository{Name: "o/r", URL: "file:///x"})
	in := []Commit{
		{RepoID: repo, SHA: "s1", Subject: "one", Files: []File{{Path: "a.go", Status: "M", Additions: 1}, {Path: "b.go", OldPath: "c.go", Status: "R"}}},
		{RepoID: repo, SHA: "s2", Subject: "empty"},
		{RepoID: repo, SHA: "s3", Subject: "bin", Files: []File{{Path: "x.png", Status: "A", Binary: true}}},
	}
	// The second s1 is written in the same transaction and is not new.
	isNew := insertCommits(t, db, "o/r", append(in, Commit{RepoID: repo, SHA: "s1"}))
	if want := []bool{true, true, true, false}; !reflect.DeepEqual(isNew, want) {
		t.Fatalf("re-insert of s1: new = %v, want %v", isNew, want)
	}
	got := storedCommits(t, db)
	if len(got) != 3 || len(got[0].Files) != 2 || len(got[1].Files) != 0 || len(got[2].Files) != 1 || !got[2].Files[0].Binary {
		t.Fatalf("round trip mismatch: %+v", got)
	}
	if got[0].Repo != "o/r" || got[0].Files[1].OldPath != "c.go" {
		t.Fatalf("round trip mismatch: %+v", got[0])
	}
	shas, _ := db.CommitSHAs(ctx, repo)
	if len(shas) != 3 {
		t.Fatalf("CommitSHAs = %v", shas)
	}
}

func TestRunsRecordStatus(t *testing.T) {
	db := openTestDB(t)
	ctx := context.Background()
	for _, tc := range []struct {
		err    error
		status string
	}{{nil, RunOK}, {errors.New("repository o/r: boom"), RunFailed}, {fmt.Errorf("x: %w", context.Canceled), RunCancelled}} {
		id, err := db.StartRun(ctx, "extract", map[string]any{"repos": []string{"a"}})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.FinishRun(id, map[string]int64{"added": 3}, tc.err); err != nil {
			t.Fatal(err)
		}
		runs, err := db.Runs(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		r := runs[0]
		if r.ID != id || r.Status != tc.status || r.Counts["added"] != 3 || r.Phase != "extract" || r.Params["repos"] == nil {
			t.Fatalf("run = %+v, want status %s", r, tc.status)
		}
		if tc.err != nil && r.Error != tc.err.Error() {
			t.Fatalf("run error = %q", r.Error)
		}
	}
}

// TestBackgroundCheckpoints: with them on, the store's connections leave
// the WAL to the checkpointer, which copies it into the database file.
func TestBackgroundCheckpoints(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "s.db")
	db, err := Open(ctx, path, WithBackgroundCheckpoints(10*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var pages int
	if err := db.SQL().QueryRow("PRAGMA wal_autocheckpoint").Scan(&pages); err != nil || pages != safetyCheckpointPages {
		t.Fatalf("wal_autocheckpoint = %d, %v; want %d", pages, err, safetyCheckpointPages)
	}
	before := fileSize(t, path)
	payload := make([]byte, 64<<10) // incompressible: 16 pages a delivery
	for i := range 20 {
		rand.Read(payload)
		d := Delivery{ID: fmt.Sprintf("d%d", i), Event: "push", Payload: payload}
		if err := db.Tx(ctx, func(tx *sql.Tx) error { _, err := InsertDeliveryTx(ctx, tx, d); return err }); err != nil {
			t.Fatal(err)
		}
	}
	// Nothing else copies the WAL's 320 pages into the database file: its
	// connections would at 10,000.
	for deadline := time.Now().Add(5 * time.Second); fileSize(t, path) < before+20*64<<10; {
		if time.Now().After(deadline) {
			t.Fatalf("database file %d bytes, was %d: the WAL was not checkpointed", fileSize(t, path), before)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	plain, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	if err := plain.SQL().QueryRow("PRAGMA wal_autocheckpoint").Scan(&pages); err != nil || pages != 1000 {
		t.Fatalf("a store opened without them: wal_autocheckpoint = %d, %v; want SQLite's 1000", pages, err)
	}
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// TestConcurrentOpensMigrateOnce: the bot and its learning worker opening
// a new file at the same moment both end up on the latest schema, River's
// included.
func TestConcurrentOpensMigrateOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bot.db")
	ctx := context.Background()
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			db, err := Open(ctx, path)
			if err == nil {
				err = db.MigrateRiver(ctx, slog.New(slog.DiscardHandler))
				db.Close()
			}
			errs <- err
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
