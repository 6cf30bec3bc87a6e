package store

import (
	"fmt"
	"os"
)

// DerivedFilesDir is a directory for files derived from the database's
// rows (such as repository models unpacked), for uses named by name, and
// what removes it once the process is done with it. Beside a SQLite file,
// which one process uses at a time, it is PATH.NAME, kept for the next
// process (cleanup does nothing); processes sharing a PostgreSQL database
// get each a temporary directory of its own, which cleanup removes.
func (db *DB) DerivedFilesDir(name string) (dir string, cleanup func(), err error) {
	if db.dialect.engine == SQLite {
		return db.path + "." + name, func() {}, nil
	}
	if dir, err = os.MkdirTemp("", "commit-labeler-"+name+"-"); err != nil {
		return "", nil, fmt.Errorf("store: %w", err)
	}
	return dir, func() { os.RemoveAll(dir) }, nil
}
