package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// statement is one statement of a writeAll, written as the store's
// queries are (? placeholders, bool arguments).
type statement struct {
	query string
	args  []any
}

// writeAll runs stmts, writes that read nothing back, as one transaction:
// all of them or none. On PostgreSQL they go to the server together, as one
// pipeline, which the server runs as one transaction that ends at its
// first failure: one round trip, where a transaction of them costs one
// each and two more to begin and commit, each a wait for the server's
// process and for the CPU. On SQLite they run in a Tx.
func (db *DB) writeAll(ctx context.Context, stmts ...statement) error {
	if db.dialect.engine != PostgreSQL {
		return db.Tx(ctx, func(tx *sql.Tx) error {
			for _, s := range stmts {
				if _, err := tx.ExecContext(ctx, s.query, s.args...); err != nil {
					return err
				}
			}
			return nil
		})
	}
	conn, err := db.sql.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(driverConn any) error {
		c, ok := driverConn.(pgConn)
		if !ok {
			return fmt.Errorf("store: a PostgreSQL connection is a %T", driverConn)
		}
		var b pgx.Batch
		for _, s := range stmts {
			args := make([]any, len(s.args))
			for i, a := range s.args {
				args[i] = storedValue(a)
			}
			b.Queue(rebind(s.query), args...)
		}
		return c.Conn.Conn().SendBatch(ctx, &b).Close()
	})
}
