package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
)

// ErrNotShared refuses a data source that one process uses at a time (a
// SQLite file) where one that processes share is wanted.
var ErrNotShared = errors.New("store: want a database several processes can share (postgres://…)")

// ErrNotLocalFile refuses a data source that is not a local file (a
// server's URL) where a SQLite file is wanted.
var ErrNotLocalFile = errors.New("store: want a SQLite file")

// OpenShared opens, as Open does, a database that several processes can
// share; it refuses any other source with ErrNotShared before creating
// anything.
func OpenShared(ctx context.Context, source string, opts ...Option) (*DB, error) {
	ds, err := parseSource(source)
	if err != nil {
		return nil, err
	}
	if ds.engine != PostgreSQL {
		return nil, fmt.Errorf("%s: %w", source, ErrNotShared)
	}
	return Open(ctx, source, opts...)
}

// LocalFile is the path of the SQLite file source names (as Open reads
// it) when that file exists: ErrNotLocalFile for a source that is a URL
// of another kind, os.Stat's error for a file that is missing.
func LocalFile(source string) (string, error) {
	ds, err := parseSource(source)
	if err != nil {
		return "", err
	}
	if ds.engine != SQLite || strings.Contains(ds.target, "://") {
		return "", fmt.Errorf("%s: %w", source, ErrNotLocalFile)
	}
	if _, err := os.Stat(ds.target); err != nil {
		return "", err // a *fs.PathError, which names the file
	}
	return ds.target, nil
}
