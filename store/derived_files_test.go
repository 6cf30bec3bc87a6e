package store

import (
	"errors"
	"io/fs"
	"os"
	"testing"
)

// TestDerivedFilesDir: beside a SQLite file the directory stays for the
// next process; a process sharing PostgreSQL gets one of its own, which
// cleanup removes.
func TestDerivedFilesDir(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e testEngine) {
		db := e.open(t)
		dir, cleanup, err := db.DerivedFilesDir("models")
		if err != nil {
			t.Fatal(err)
		}
		other, otherCleanup, err := db.DerivedFilesDir("models")
		if err != nil {
			t.Fatal(err)
		}
		defer otherCleanup()
		shared := e.dialect.engine == SQLite
		if want := db.Path() + ".models"; shared && dir != want {
			t.Errorf("dir %s, want %s", dir, want)
		}
		if (dir == other) != shared {
			t.Errorf("two calls gave %s and %s; want the same directory: %v", dir, other, shared)
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		cleanup()
		if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) == shared {
			t.Errorf("after cleanup, stat %s: %v; want it kept: %v", dir, err, shared)
		}
	})
}
