package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
)

// openPostgres opens the PostgreSQL database at rawURL: a pool for the
// store's writes, a pool of read-only sessions for the reads a webhook
// job makes (as the SQLite side's read-only connections: MVCC lets them
// answer beside a busy writer, and they can write nothing), and pgx's own
// pool for River's LISTEN connections. Migrations run under an advisory
// lock.
func openPostgres(ctx context.Context, rawURL string) (*DB, error) {
	name := redact(rawURL)
	cfg, err := pgx.ParseConfig(rawURL)
	if err != nil {
		return nil, fmt.Errorf("store: PostgreSQL %s: %w", name, err)
	}
	readCfg := cfg.Copy()
	if readCfg.RuntimeParams == nil {
		readCfg.RuntimeParams = map[string]string{}
	}
	readCfg.RuntimeParams["default_transaction_read_only"] = "on"
	listenCfg, err := pgxpool.ParseConfig(rawURL)
	if err != nil {
		return nil, fmt.Errorf("store: PostgreSQL %s: %w", name, err)
	}
	// River takes a connection of its own out of this pool for each client
	// it starts, and keeps it (see RiverDriver): none is opened before.
	listenCfg.MinConns, listenCfg.MaxConns = 0, 1
	listen, err := pgxpool.NewWithConfig(ctx, listenCfg)
	if err != nil {
		return nil, fmt.Errorf("store: PostgreSQL %s: %w", name, err)
	}
	db := &DB{sql: openPool(cfg), reads: openPool(readCfg), listen: listen, path: name, dialect: postgresDialect}
	if err := db.withLock(ctx, schemaLock, func() error { return db.migrate(ctx) }); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: PostgreSQL %s: %w", name, err)
	}
	return db, nil
}

// openPool opens a database/sql pool of cfg's connections that take the
// store's queries as written (see pgConn).
func openPool(cfg *pgx.ConnConfig) *sql.DB {
	db := sql.OpenDB(pgConnector{stdlib.GetConnector(*cfg)})
	db.SetConnMaxIdleTime(5 * time.Minute)
	db.SetMaxIdleConns(maxIdleConns)
	return db
}

// pgConnector hands out pgConns.
type pgConnector struct{ driver.Connector }

// Connect opens a connection of the pool.
func (c pgConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return pgConn{conn.(*stdlib.Conn)}, nil
}

// pgConn is pgx's database/sql connection under the store's one dialect
// seam for every query path (*sql.DB, *sql.Tx, prepared statements, and
// callers of SQL()): ? placeholders become $n, and a bool argument 1 or 0,
// as SQLite stores it (the PostgreSQL schema keeps those columns integers,
// so that comparisons such as author_is_bot <> 0 read the same).
type pgConn struct{ *stdlib.Conn }

// Prepare prepares query after rebinding its placeholders.
func (c pgConn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

// PrepareContext prepares query after rebinding its placeholders.
func (c pgConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	native := isNative(query)
	if !native {
		query = rebind(query)
	}
	st, err := c.Conn.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	return pgStmt{Stmt: st.(*stdlib.Stmt), conn: c, native: native}, nil
}

// pgStmt is a prepared statement of a pgConn.
type pgStmt struct {
	*stdlib.Stmt
	conn pgConn
	// native is set for a statement written for PostgreSQL (isNative).
	native bool
}

// ExecContext runs the statement; its result has a LastInsertId (see pgResult).
func (s pgStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	if !s.native {
		args = storeArgs(args)
	}
	res, err := s.Stmt.ExecContext(ctx, args)
	if err != nil {
		return nil, err
	}
	return pgResult{Result: res, conn: s.conn, ctx: ctx}, nil
}

// QueryContext runs the statement.
func (s pgStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	if !s.native {
		args = storeArgs(args)
	}
	return s.Stmt.QueryContext(ctx, args)
}

// ExecContext runs query after rebinding its placeholders.
func (c pgConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if !isNative(query) {
		query, args = rebind(query), storeArgs(args)
	}
	res, err := c.Conn.ExecContext(ctx, query, args)
	if err != nil {
		return nil, err
	}
	return pgResult{Result: res, conn: c, ctx: ctx}, nil
}

// pgResult gives an INSERT's result the LastInsertId pgx lacks: PostgreSQL's
// lastval(), the identity the session assigned last, read on the insert's
// connection (database/sql holds it for the call). The store inserts rows
// whose id it needs in a transaction, so that no other statement runs on
// the connection in between; SQLite keeps its cheaper path (no RETURNING
// row to read back), and the insert is written once.
type pgResult struct {
	driver.Result
	conn pgConn
	ctx  context.Context
}

// LastInsertId returns the id the insert assigned.
func (r pgResult) LastInsertId() (int64, error) {
	var id int64
	if err := r.conn.Conn.Conn().QueryRow(context.WithoutCancel(r.ctx), "SELECT lastval()").Scan(&id); err != nil {
		return 0, fmt.Errorf("PostgreSQL lastval: %w", err)
	}
	return id, nil
}

// QueryContext runs query after rebinding its placeholders.
func (c pgConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if !isNative(query) {
		query, args = rebind(query), storeArgs(args)
	}
	return c.Conn.QueryContext(ctx, query, args)
}

// isNative reports whether query is written for PostgreSQL ($1
// placeholders), as River's are: it runs as it is, its ? being jsonb's
// operator and its bools booleans.
func isNative(query string) bool { return strings.Contains(query, "$1") }

// storeArgs turns the bools of a store query's arguments into the 0 or 1
// the schema stores, as SQLite does; pgx takes every other value as it is.
func storeArgs(args []driver.NamedValue) []driver.NamedValue {
	var out []driver.NamedValue // a copy once a bool is met: args is the caller's
	for i, a := range args {
		if _, ok := a.Value.(bool); !ok {
			continue
		}
		if out == nil {
			out = slices.Clone(args)
		}
		out[i].Value = storedValue(a.Value)
	}
	if out == nil {
		return args
	}
	return out
}

// storedValue is v as the schema stores it: a bool 0 or 1, anything else
// as it is.
func storedValue(v any) any {
	b, ok := v.(bool)
	switch {
	case !ok:
		return v
	case b:
		return int64(1)
	}
	return int64(0)
}

// advisoryKey is the advisory lock key of a lock name: PostgreSQL's
// advisory locks are numbered, and the number is derived from the name so
// that every process agrees on it without a table of keys.
func advisoryKey(name string) int64 {
	h := fnv.New64a()
	h.Write([]byte("commit-labeler/store/" + name))
	return int64(h.Sum64())
}

// withAdvisoryLock runs fn holding PostgreSQL's session advisory lock of
// name on one connection of the pool, across every process on the
// database: the store's equivalent of the lock file beside a SQLite file.
func (db *DB) withAdvisoryLock(ctx context.Context, name string, fn func() error) error {
	conn, err := db.sql.Conn(ctx)
	if err != nil {
		return fmt.Errorf("store: lock %s on %s: %w", name, db.path, err)
	}
	defer conn.Close()
	key := advisoryKey(name)
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock(?)", key); err != nil {
		return fmt.Errorf("store: lock %s on %s: %w", name, db.path, err)
	}
	// Unlock even when ctx has ended: the connection goes back to the
	// pool, holding the lock otherwise until it closes.
	defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock(?)", key)
	return fn()
}

// lockInTx takes the store's lock name until tx ends, where the engine
// needs one to serialize read-then-write transactions: on PostgreSQL a
// transaction-scoped advisory lock (READ COMMITTED lets two transactions
// read the same maximum); on SQLite nothing, as its immediate transactions
// already hold the one write lock.
func (db *DB) lockInTx(ctx context.Context, tx *sql.Tx, name string) error {
	if db.dialect.engine != PostgreSQL {
		return nil
	}
	if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(?)", advisoryKey(name)); err != nil {
		return fmt.Errorf("lock %s: %w", name, err)
	}
	return nil
}
