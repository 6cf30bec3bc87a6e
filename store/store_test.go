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
	"strings"
	"testing"
	"time"
)

func TestOpenAppliesMigrationsOnce(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e testEngine) {
		source := e.source(t)
		ctx := context.Background()
		for i := 0; i < 2; i++ {
			db, err := Open(ctx, source)
			if err != nil {
				t.Fatal(err)
			}
			v, err := db.SchemaVersion(ctx)
			if err != nil {
				t.Fatal(err)
			}
			ms, _ := loadMigrations(db.dialect.migrations)
			if v != ms[len(ms)-1].version {
				t.Fatalf("schema version %d, want %d", v, ms[len(ms)-1].version)
			}
			if db.Engine() == SQLite {
				var mode string
				db.SQL().QueryRow("PRAGMA journal_mode").Scan(&mode)
				var fk int
				db.SQL().QueryRow("PRAGMA foreign_keys").Scan(&fk)
				if mode != "wal" || fk != 1 {
					t.Fatalf("journal_mode %q foreign_keys %d, want wal and 1", mode, fk)
				}
			}
			db.Close()
		}
	})
}

// TestMigrationsNumberedAlike: each engine has the same migrations, by
// number, so that a schema version means the same tables on both.
func TestMigrationsNumberedAlike(t *testing.T) {
	lite, err := loadMigrations(sqliteDialect.migrations)
	if err != nil {
		t.Fatal(err)
	}
	pg, err := loadMigrations(postgresDialect.migrations)
	if err != nil {
		t.Fatal(err)
	}
	if len(lite) != len(pg) {
		t.Fatalf("%d SQLite migrations, %d PostgreSQL ones", len(lite), len(pg))
	}
	for i := range lite {
		if lite[i].version != pg[i].version || lite[i].name != pg[i].name {
			t.Errorf("migration %d: SQLite %s, PostgreSQL %s", i, lite[i].name, pg[i].name)
		}
	}
}

func TestOpenRejectsNewerSchema(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e testEngine) {
		source := e.source(t)
		db, err := Open(context.Background(), source)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.SQL().Exec(db.dialect.setVersion(999)); err != nil {
			t.Fatal(err)
		}
		db.Close()
		if _, err := Open(context.Background(), source); err == nil {
			t.Fatal("opening a database with a newer schema succeeded")
		}
	})
}

func TestParseSource(t *testing.T) {
	for _, tc := range []struct {
		source string
		want   dataSource
		err    bool
	}{
		{"bot.db", dataSource{SQLite, "bot.db"}, false},
		{"/var/lib/bot/bot.db", dataSource{SQLite, "/var/lib/bot/bot.db"}, false},
		{"sqlite:///var/lib/bot.db", dataSource{SQLite, "/var/lib/bot.db"}, false},
		{"sqlite://bot.db", dataSource{SQLite, "bot.db"}, false},
		{"file:bot.db", dataSource{SQLite, "bot.db"}, false},
		{"postgres://u:p@h/db", dataSource{PostgreSQL, "postgres://u:p@h/db"}, false},
		{"postgresql://h/db?sslmode=disable", dataSource{PostgreSQL, "postgresql://h/db?sslmode=disable"}, false},
		{"", dataSource{}, true},
		{"sqlite://", dataSource{}, true},
	} {
		got, err := parseSource(tc.source)
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("parseSource(%q) = %+v, %v; want %+v, error %v", tc.source, got, err, tc.want, tc.err)
		}
	}
}

func TestRebind(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"SELECT 1", "SELECT 1"},
		{"SELECT a FROM t WHERE b = ? AND c = ?", "SELECT a FROM t WHERE b = $1 AND c = $2"},
		{"INSERT INTO t VALUES (?, '?', ?)", "INSERT INTO t VALUES ($1, '?', $2)"},
		{"SELECT 'it''s ?' , ?", "SELECT 'it''s ?' , $1"},
		{`SELECT "odd?col" FROM t WHERE x = ?`, `SELECT "odd?col" FROM t WHERE x = $1`},
		{"SELECT ? -- why?\nFROM t WHERE x = ?", "SELECT $1 -- why?\nFROM t WHERE x = $2"},
		{"SELECT /* a ? */ ?", "SELECT /* a ? */ $1"},
		{"SELECT 'unterminated ?", "SELECT 'unterminated ?"},
	} {
		if got := rebind(tc.in); got != tc.want {
			t.Errorf("rebind(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestPostgresURLRedacted: a PostgreSQL URL's password is never in a
// message.
func TestPostgresURLRedacted(t *testing.T) {
	_, err := Open(context.Background(), "postgres://bot:s3cret@127.0.0.1:1/none?sslmode=disable&connect_timeout=1")
	if err == nil {
		t.Fatal("opened a database on port 1")
	}
	if strings.Contains(err.Error(), "s3cret") || !strings.Contains(err.Error(), "PostgreSQL") {
		t.Fatalf("error %q shows the password or does not name the engine", err)
	}
}

func TestTxRollsBackOnError(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e testEngine) {
		db := e.open(t)
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
	})
}

func TestCommitsRoundTrip(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e testEngine) {
		db := e.open(t)
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
	})
}

func TestRunsRecordStatus(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e testEngine) {
		db := e.open(t)
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
	})
}

// TestBackgroundCheckpoints (SQLite only: about its WAL file): with them on, the store's connections leave
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
// a new database at the same moment both end up on the latest schema,
// River's included.
func TestConcurrentOpensMigrateOnce(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e testEngine) {
		source := e.source(t)
		ctx := context.Background()
		errs := make(chan error, 4)
		for range 4 {
			go func() {
				db, err := Open(ctx, source)
				if err == nil {
					err = db.MigrateRiver(ctx, slog.New(slog.DiscardHandler))
					if err == nil {
						_, err = db.SQL().ExecContext(ctx, `SELECT count(*) FROM river_job`)
					}
					if err == nil {
						v, verr := db.SchemaVersion(ctx)
						if ms, _ := loadMigrations(db.dialect.migrations); verr != nil || v != ms[len(ms)-1].version {
							err = fmt.Errorf("schema version %d, %v", v, verr)
						}
					}
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
	})
}
