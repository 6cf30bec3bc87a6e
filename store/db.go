// Package store keeps the commit corpus, labels, runs and the bot's state in
// one SQLite file. It imports no other package of this module.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

	_ "github.com/mattn/go-sqlite3" // registers the "sqlite3" driver
)

// maxIdleConns bounds the idle connections kept open.
const maxIdleConns = 32

// DB is an open store.
type DB struct {
	sql          *sql.DB
	path         string
	checkpointer *checkpointer // nil unless WithBackgroundCheckpoints
}

// Open opens (creating if needed) the SQLite file at path, in WAL mode with
// foreign keys on, and applies pending migrations.
func Open(ctx context.Context, path string, opts ...Option) (*DB, error) {
	var o openOptions
	for _, opt := range opts {
		opt(&o)
	}
	if path == "" {
		return nil, errors.New("store: database path is empty")
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
	}
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_foreign_keys", "on")
	q.Set("_busy_timeout", "10000")
	q.Set("_txlock", "immediate")
	q.Set("_synchronous", "NORMAL")
	q.Set("_stmt_cache_size", "256")
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
	driver := "sqlite3"
	if o.checkpointEvery > 0 {
		driver = driverBackgroundCheckpoints
	}
	sqlDB, err := sql.Open(driver, dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	// Keep the connections of busy moments (the bot's workers, the queue,
	// the intake) open: database/sql keeps 2 by default, and opening one
	// costs its pragmas and its statement cache.
	sqlDB.SetMaxIdleConns(maxIdleConns)
	db := &DB{sql: sqlDB, path: path}
	if err := db.migrate(ctx); err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("store: %s: %w", path, err)
	}
	if o.checkpointEvery > 0 {
		if db.checkpointer, err = startCheckpointer(dsn, o.checkpointEvery); err != nil {
			sqlDB.Close()
			return nil, fmt.Errorf("store: %s: checkpointer: %w", path, err)
		}
	}
	return db, nil
}

// Close closes the database (and stops its checkpointer).
func (db *DB) Close() error {
	if db.checkpointer != nil {
		db.checkpointer.close()
	}
	return db.sql.Close()
}

// SQL returns the underlying handle, for the job queue that shares the file.
func (db *DB) SQL() *sql.DB { return db.sql }

// Path returns the file path the store was opened with.
func (db *DB) Path() string { return db.path }

// Tx runs fn in one immediate transaction, committing if fn returns nil and
// rolling back otherwise, so that a failed or cancelled phase leaves no half rows.
func (db *DB) Tx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

// now is the store's timestamp format: UTC RFC 3339 with nanoseconds.
func now() string { return time.Now().UTC().Format(time.RFC3339Nano) }
