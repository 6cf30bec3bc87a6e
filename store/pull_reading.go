package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// PullReading is how far a learn job read a repository's merged pull
// requests: Through is the newest updated_at it read, Rules what it
// labeled them by. The zero value means none were read.
type PullReading struct {
	Through time.Time
	Rules   string
}

// PullReading returns how far the pull requests of repo were read; the
// zero PullReading when never, or when the repository is unknown.
func (db *DB) PullReading(ctx context.Context, repo string) (PullReading, error) {
	var through, rules sql.NullString
	err := db.sql.QueryRowContext(ctx, `SELECT pulls_read_through, pulls_read_rules FROM repositories WHERE name = ?`, repo).Scan(&through, &rules)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return PullReading{}, fmt.Errorf("store: pull requests read of %s: %w", repo, err)
	}
	if !through.Valid {
		return PullReading{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, through.String)
	if err != nil {
		return PullReading{}, fmt.Errorf("store: pull requests read of %s: %w", repo, err)
	}
	return PullReading{Through: t, Rules: rules.String}, nil
}

// PutPullLabelings stores the labelings read from repo's pull requests and
// how far the reading got, in one transaction: a job that fails before
// the end leaves the previous reading, and the next job reads again.
func (db *DB) PutPullLabelings(ctx context.Context, repo string, ls []Labeling, read PullReading) error {
	return db.Tx(ctx, func(tx *sql.Tx) error {
		if err := putLabelingsTx(ctx, tx, ls); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE repositories SET pulls_read_through = ?, pulls_read_rules = ? WHERE name = ?`,
			read.Through.UTC().Format(time.RFC3339Nano), read.Rules, repo)
		if err != nil {
			return fmt.Errorf("store: pull requests read of %s: %w", repo, err)
		}
		if n, err := res.RowsAffected(); err == nil && n == 0 {
			return fmt.Errorf("store: pull requests read of %s: %w", repo, ErrNotFound)
		}
		return nil
	})
}
