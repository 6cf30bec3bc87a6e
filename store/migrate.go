package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
)

// migrationFiles are SQLite's migrations (migrations/NNNN_*.sql) and
// PostgreSQL's (migrations/postgres/NNNN_*.sql, numbered alike: the same
// tables and columns in PostgreSQL's types).
//
//go:embed migrations/*.sql migrations/postgres/*.sql
var migrationFiles embed.FS

// migration is one numbered schema change.
type migration struct {
	version int
	name    string
	sql     string
}

// loadMigrations reads the migrations of directory dir, oldest first.
func loadMigrations(dir string) ([]migration, error) {
	entries, err := fs.ReadDir(migrationFiles, dir)
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration file %q is not named NNNN_name.sql", e.Name())
		}
		body, err := fs.ReadFile(migrationFiles, dir+"/"+e.Name())
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: e.Name(), sql: string(body)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	return ms, nil
}

// migrate applies, each in its own transaction, the migrations newer than the
// database's schema version.
func (db *DB) migrate(ctx context.Context) error {
	ms, err := loadMigrations(db.dialect.migrations)
	if err != nil {
		return err
	}
	if db.dialect.ensureVersion != "" {
		if _, err := db.sql.ExecContext(ctx, db.dialect.ensureVersion); err != nil {
			return fmt.Errorf("create schema version: %w", err)
		}
	}
	var current int
	if err := db.sql.QueryRowContext(ctx, db.dialect.readVersion).Scan(&current); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if latest := ms[len(ms)-1].version; current > latest {
		return fmt.Errorf("schema version %d is newer than this program knows (%d)", current, latest)
	}
	for _, m := range ms {
		if m.version <= current {
			continue
		}
		err := db.Tx(ctx, func(tx *sql.Tx) error {
			// Another process on the database (the bot and its learning
			// worker start together) may have applied it meanwhile: the
			// schema lock (and on SQLite the transaction's write lock)
			// makes the version read here the one it would change.
			var now int
			if err := tx.QueryRowContext(ctx, db.dialect.readVersion).Scan(&now); err != nil {
				return err
			}
			if now >= m.version {
				return nil
			}
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, db.dialect.setVersion(m.version))
			return err
		})
		if err != nil {
			return fmt.Errorf("migration %s: %w", m.name, err)
		}
	}
	return nil
}

// SchemaVersion returns the applied schema version.
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	if err := db.sql.QueryRowContext(ctx, db.dialect.readVersion).Scan(&v); err != nil {
		return 0, fmt.Errorf("store: schema version of %s database %s: %w", db.dialect.engine, db.path, err)
	}
	return v, nil
}
