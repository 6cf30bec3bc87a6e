// Package store keeps the commit corpus, labels, runs and the bot's state in
// one SQLite file or one PostgreSQL database, over one implementation: the
// queries are written once and what the engines say differently is the
// dialect's (see dialect.go). What else the engines need done differently
// (the pool's size, a process's hold on the job queue, where files derived
// from rows go, which sources a command takes) store offers as behaviour:
// no other package branches on the engine. It imports no other package of
// this module.
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

	"github.com/jackc/pgx/v5/pgxpool"
	_ "github.com/mattn/go-sqlite3" // registers the "sqlite3" driver
)

// maxIdleConns bounds the idle connections kept open.
const maxIdleConns = 32

// DB is an open store.
type DB struct {
	sql *sql.DB
	// reads are read-only connections for the reads a webhook job makes,
	// which in WAL mode need not wait for the writer: a server keeps sql
	// to one connection (see delivery.NewServer) that its intake holds
	// for most of a burst. On PostgreSQL they are a pool of read-only
	// sessions, which MVCC likewise keeps from waiting.
	reads *sql.DB
	// listen is where River's clients on PostgreSQL take the connection
	// they LISTEN on (see RiverDriver); nil on SQLite.
	listen *pgxpool.Pool
	// writeTurn (one token) lines up the store's own writes before they
	// ask sql for a connection: SQLite has one writer anyway, and a server
	// whose intake takes the one connection directly (delivery's group
	// commit) then waits behind at most one of them, not behind every
	// handler's write in database/sql's queue, which it serves at random.
	// Nil on PostgreSQL, which takes writers side by side (its
	// transactions that read before they write take advisory locks:
	// lockInTx): lined up, a bot's handlers waited on each other's round
	// trips to the server.
	writeTurn chan struct{}
	// path is the SQLite file's path, or the PostgreSQL URL without its
	// password.
	path         string
	dialect      dialect
	checkpointer *checkpointer // nil unless WithBackgroundCheckpoints
}

// Open opens the store's database and applies pending migrations. source
// is a PostgreSQL URL (postgres://… or postgresql://…), or a SQLite file:
// sqlite://PATH, file:PATH or a plain path, created if needed, in WAL mode
// with foreign keys on.
func Open(ctx context.Context, source string, opts ...Option) (*DB, error) {
	var o openOptions
	for _, opt := range opts {
		opt(&o)
	}
	ds, err := parseSource(source)
	if err != nil {
		return nil, err
	}
	if ds.engine == PostgreSQL {
		// WithBackgroundCheckpoints is about SQLite's WAL: PostgreSQL
		// checkpoints in its own processes.
		return openPostgres(ctx, ds.target)
	}
	return openSQLite(ctx, ds.target, o)
}

// openSQLite opens the SQLite file at path.
func openSQLite(ctx context.Context, path string, o openOptions) (*DB, error) {
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
	dsn := fileDSN(path, q)
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
	db := &DB{sql: sqlDB, path: path, dialect: sqliteDialect, writeTurn: make(chan struct{}, 1)}
	// Processes opening a new file together (the bot and its learning
	// worker) take turns: the first connection switches the file to WAL,
	// and a read racing that switch gets "database is locked" without
	// waiting on the busy timeout.
	if err := db.withLock(ctx, schemaLock, func() error { return db.migrate(ctx) }); err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("store: %s: %w", path, err)
	}
	q.Set("_query_only", "true")
	if db.reads, err = sql.Open("sqlite3", fileDSN(path, q)); err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("store: open %s for reading: %w", path, err)
	}
	db.reads.SetConnMaxIdleTime(5 * time.Minute)
	db.reads.SetMaxIdleConns(maxIdleConns)
	if o.checkpointEvery > 0 {
		if db.checkpointer, err = startCheckpointer(dsn, o.checkpointEvery); err != nil {
			sqlDB.Close()
			db.reads.Close()
			return nil, fmt.Errorf("store: %s: checkpointer: %w", path, err)
		}
	}
	return db, nil
}

// DurableConn takes a connection out of the pool whose commits survive a
// power loss, for writes nobody would make again (the webhook intake's:
// GitHub does not redeliver what it saw answered 2xx), and returns what
// puts it back. SQLite's synchronous=NORMAL in WAL mode survives a crash
// of the process but may lose the last commits of a power cut, so the
// connection runs with FULL (one fsync per commit) until released;
// PostgreSQL's commits are durable as they are.
func (db *DB) DurableConn(ctx context.Context) (conn *sql.Conn, release func(), err error) {
	conn, err = db.sql.Conn(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("store: %s %s: %w", db.dialect.engine, db.path, err)
	}
	if db.dialect.engine != SQLite {
		return conn, func() { conn.Close() }, nil
	}
	if _, err := conn.ExecContext(ctx, "PRAGMA synchronous = FULL"); err != nil {
		conn.Close()
		return nil, nil, fmt.Errorf("store: %s: %w", db.path, err)
	}
	return conn, func() {
		conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA synchronous = NORMAL")
		conn.Close()
	}, nil
}

// Writers is how many transactions writing at once get on together: one
// on SQLite, which has one writer; on PostgreSQL, which takes writers side
// by side, more than one, as a writer spends most of its statement waiting
// for the server's process and for the CPU.
func (db *DB) Writers() int {
	if db.dialect.engine == PostgreSQL {
		return postgresWriters
	}
	return 1
}

// postgresWriters is Writers on PostgreSQL.
const postgresWriters = 2

// Close closes the database (and stops its checkpointer).
func (db *DB) Close() error {
	if db.checkpointer != nil {
		db.checkpointer.close()
	}
	if db.listen != nil {
		db.listen.Close()
	}
	return errors.Join(db.reads.Close(), db.sql.Close())
}

// fileDSN is the go-sqlite3 data source name of the file at path.
func fileDSN(path string, params url.Values) string {
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + params.Encode()
}

// SQL returns the underlying handle, for the job queue that shares the
// database. On PostgreSQL its queries may be written with ? placeholders
// too.
func (db *DB) SQL() *sql.DB { return db.sql }

// Path returns the file path the store was opened with; on PostgreSQL the
// URL without its password, fit for messages.
func (db *DB) Path() string { return db.path }

// Engine returns the engine the store runs on.
func (db *DB) Engine() Engine { return db.dialect.engine }

// Tx runs fn in one immediate transaction, committing if fn returns nil and
// rolling back otherwise, so that a failed or cancelled phase leaves no half rows.
// On PostgreSQL the transaction is READ COMMITTED: a transaction that
// reads what it then writes takes a lock first (see lockInTx).
func (db *DB) Tx(ctx context.Context, fn func(*sql.Tx) error) error {
	done, err := db.awaitWriteTurn(ctx)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	defer done()
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

// exec runs one writing statement in its write turn.
func (db *DB) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	done, err := db.awaitWriteTurn(ctx)
	if err != nil {
		return nil, err
	}
	defer done()
	return db.sql.ExecContext(ctx, query, args...)
}

// awaitWriteTurn waits for the store's earlier writes, or for ctx to end,
// and returns what ends this write's turn; without turns (writeTurn nil)
// it only checks ctx.
func (db *DB) awaitWriteTurn(ctx context.Context) (done func(), err error) {
	if db.writeTurn == nil {
		return func() {}, ctx.Err()
	}
	select {
	case db.writeTurn <- struct{}{}:
		return func() { <-db.writeTurn }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// now is the store's timestamp format: UTC RFC 3339 with nanoseconds.
func now() string { return time.Now().UTC().Format(time.RFC3339Nano) }
