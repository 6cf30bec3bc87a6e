package store

import (
	"context"
	"database/sql"
	"fmt"
)

// FeatureWriter stores per-commit feature documents inside one transaction.
type FeatureWriter struct {
	ctx context.Context
	put *sql.Stmt
}

// NewFeatureWriter prepares the statement on tx. Close it before the
// transaction ends.
func NewFeatureWriter(ctx context.Context, tx *sql.Tx) (*FeatureWriter, error) {
	st, err := tx.PrepareContext(ctx, `INSERT INTO features (commit_id, version, data) VALUES (?, ?, ?)
		ON CONFLICT (commit_id) DO UPDATE SET version = excluded.version, data = excluded.data`)
	if err != nil {
		return nil, fmt.Errorf("store: prepare features: %w", err)
	}
	return &FeatureWriter{ctx: ctx, put: st}, nil
}

// Put stores the features (a JSON document of the given version) of a commit.
func (w *FeatureWriter) Put(commitID int64, version int, data []byte) error {
	if _, err := w.put.ExecContext(w.ctx, commitID, version, string(data)); err != nil {
		return fmt.Errorf("store: features of commit %d: %w", commitID, err)
	}
	return nil
}

// Close releases the prepared statement.
func (w *FeatureWriter) Close() error { return w.put.Close() }

// Features returns the feature document and version of a commit, or ErrNotFound.
func (db *DB) Features(ctx context.Context, commitID int64) ([]byte, int, error) {
	var data string
	var v int
	err := db.sql.QueryRowContext(ctx, `SELECT data, version FROM features WHERE commit_id = ?`, commitID).Scan(&data, &v)
	if err == sql.ErrNoRows {
		return nil, 0, fmt.Errorf("store: features of commit %d: %w", commitID, ErrNotFound)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("store: features of commit %d: %w", commitID, err)
	}
	return []byte(data), v, nil
}

// CountFeatures returns how many commits have features of the given version.
func (db *DB) CountFeatures(ctx context.Context, version int) (int64, error) {
	var n int64
	if err := db.sql.QueryRowContext(ctx, `SELECT count(*) FROM features WHERE version = ?`, version).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count features: %w", err)
	}
	return n, nil
}
