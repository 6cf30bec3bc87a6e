package store

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"

	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
)

// riverMigrationLock is the lock (a file beside a SQLite database, an
// advisory lock on PostgreSQL) under which River's migrations run.
const riverMigrationLock = ".river-migrate.lock"

// RiverDriver is River's driver on the store's database: riversqlite on
// SQLite, riverdatabasesql on PostgreSQL. Both run over database/sql, so
// on either engine a job is inserted in the same *sql.Tx as the rows it
// is about (a delivery and its job commit together or not at all) and
// every River client is a river.Client[*sql.Tx]. River's own queries are
// written for PostgreSQL and pass the store's placeholder seam unchanged.
//
// On PostgreSQL a started client also LISTENs, on a pgx connection of its
// own, for the NOTIFY an insert sends when its transaction commits, so
// that every bot or worker fetches a new job at once; without it a job
// waited for the next poll (FetchPollInterval) once the queue had run dry.
func (db *DB) RiverDriver() riverdriver.Driver[*sql.Tx] {
	if db.dialect.engine == PostgreSQL {
		return riverdatabasesql.NewWithPgxListener(db.sql, db.listen)
	}
	return riversqlite.New(db.sql)
}

// MigrateRiver applies River's migrations (the job queues' tables), one
// process at a time: the bot and its learning workers start together, and
// River's migrator would have each create the same tables.
func (db *DB) MigrateRiver(ctx context.Context, log *slog.Logger) error {
	migrator, err := rivermigrate.New(db.RiverDriver(), &rivermigrate.Config{Logger: log})
	if err != nil {
		return fmt.Errorf("store: river migrations: %w", err)
	}
	return db.withLock(ctx, riverMigrationLock, func() error {
		if _, err := migrator.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
			return fmt.Errorf("store: river migrations on %s %s: %w", db.dialect.engine, db.path, err)
		}
		return nil
	})
}
