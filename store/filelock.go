package store

import (
	"context"
	"fmt"
	"os"
	"syscall"
)

// schemaLock is the lock (on SQLite the lock file beside the database)
// under which Open migrates it.
const schemaLock = ".migrate.lock"

// withFileLock runs fn holding an exclusive lock, across processes, on the
// file beside the database named by suffix (path+suffix).
func (db *DB) withFileLock(suffix string, fn func() error) error {
	f, err := os.OpenFile(db.path+suffix, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return fmt.Errorf("store: lock %s: %w", db.path+suffix, err)
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		return fmt.Errorf("store: lock %s: %w", db.path+suffix, err)
	}
	defer syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	return fn()
}

// withLock runs fn holding the store's exclusive lock name across every
// process on the database: a lock file beside a SQLite file, an advisory
// lock on PostgreSQL (no file is shared there).
func (db *DB) withLock(ctx context.Context, name string, fn func() error) error {
	if db.dialect.engine == PostgreSQL {
		return db.withAdvisoryLock(ctx, name, fn)
	}
	return db.withFileLock(name, fn)
}
