package store

import (
	"context"
	"database/sql"
	"fmt"
)

// Sample is one commit chosen by the stride phase.
type Sample struct {
	CommitID int64
	Year     int
}

// Duplicate marks a commit whose patch repeats an earlier commit's.
type Duplicate struct {
	CommitID    int64
	DuplicateOf int64
}

// ReplaceSamples replaces the stride sample and the duplicate marks in one
// transaction: the sample is a pure function of the commits, so it is
// recomputed whole.
func (db *DB) ReplaceSamples(ctx context.Context, samples []Sample, dups []Duplicate) error {
	return db.Tx(ctx, func(tx *sql.Tx) error {
		// Whole-table replacement: a second one waits for the first.
		if err := db.lockInTx(ctx, tx, "samples"); err != nil {
			return fmt.Errorf("store: samples: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM samples`); err != nil {
			return fmt.Errorf("store: clear samples: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM duplicates`); err != nil {
			return fmt.Errorf("store: clear duplicates: %w", err)
		}
		ins, err := tx.PrepareContext(ctx, `INSERT INTO samples (commit_id, year) VALUES (?, ?)`)
		if err != nil {
			return fmt.Errorf("store: samples: %w", err)
		}
		defer ins.Close()
		for _, s := range samples {
			if _, err := ins.ExecContext(ctx, s.CommitID, s.Year); err != nil {
				return fmt.Errorf("store: sample commit %d: %w", s.CommitID, err)
			}
		}
		dup, err := tx.PrepareContext(ctx, `INSERT INTO duplicates (commit_id, duplicate_of) VALUES (?, ?)`)
		if err != nil {
			return fmt.Errorf("store: duplicates: %w", err)
		}
		defer dup.Close()
		for _, d := range dups {
			if _, err := dup.ExecContext(ctx, d.CommitID, d.DuplicateOf); err != nil {
				return fmt.Errorf("store: duplicate commit %d: %w", d.CommitID, err)
			}
		}
		return nil
	})
}
