package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/commit-labeler/commit-labeler/internal/pgtest"
)

// testEngine is an engine the store's test suite runs on.
type testEngine struct {
	name    string
	dialect dialect
	// source returns the data source of a new, empty database.
	source func(t testing.TB) string
}

// testEngines are the engines every store test runs on, one subtest each,
// as River runs one test suite per driver.
var testEngines = []testEngine{
	{name: "sqlite", dialect: sqliteDialect, source: func(t testing.TB) string { return filepath.Join(t.TempDir(), "store.db") }},
	{name: "postgres", dialect: postgresDialect, source: postgresSource},
}

// forEachEngine runs fn as a subtest per engine.
func forEachEngine(t *testing.T, fn func(t *testing.T, e testEngine)) {
	t.Helper()
	for _, e := range testEngines {
		t.Run(e.name, func(t *testing.T) { fn(t, e) })
	}
}

// open opens a new, empty store of the engine, closed when the test ends.
func (e testEngine) open(t testing.TB) *DB {
	t.Helper()
	db, err := Open(context.Background(), e.source(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// postgresSource is a new database in the package's PostgreSQL cluster.
func postgresSource(t testing.TB) string { return pgtest.NewDatabase(t) }

// TestMain stops the package's PostgreSQL cluster after the tests.
func TestMain(m *testing.M) {
	code := m.Run()
	if err := pgtest.StopShared(); err != nil {
		fmt.Fprintln(os.Stderr, "store tests:", err)
	}
	os.Exit(code)
}
