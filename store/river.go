package store

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
)

// riverMigrationLock is the lock file, beside the database, under which
// River's migrations run.
const riverMigrationLock = ".river-migrate.lock"

// MigrateRiver applies River's migrations (the job queues' tables) to the
// file, one process at a time: the bot and its learning worker start
// together, and River's migrator on SQLite would have both create the
// same tables.
//
// On PostgreSQL it returns an error: River's PostgreSQL driver is not
// wired in yet.
func (db *DB) MigrateRiver(ctx context.Context, log *slog.Logger) error {
	if db.dialect.engine != SQLite {
		return fmt.Errorf("store: River on %s (%s): not wired yet", db.dialect.engine, db.path)
	}
	migrator, err := rivermigrate.New(riversqlite.New(db.sql), &rivermigrate.Config{Logger: log})
	if err != nil {
		return fmt.Errorf("store: river migrations: %w", err)
	}
	return db.withLock(ctx, riverMigrationLock, func() error {
		if _, err := migrator.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
			return fmt.Errorf("store: river migrations on %s: %w", db.path, err)
		}
		return nil
	})
}
