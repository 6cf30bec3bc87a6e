package store

import (
	"fmt"
	"os"
	"syscall"
)

// schemaLock is the lock file, beside the database, under which Open
// migrates it.
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
