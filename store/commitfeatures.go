package store

import (
	"context"
	"fmt"
)

// CommitFeatures is a commit's stored feature document with the names that
// identify the commit.
type CommitFeatures struct {
	CommitID int64
	Repo     string
	SHA      string
	// Data is the JSON features document.
	Data []byte
}

// ForEachCommitFeatures streams, in commit id order, every commit whose
// features are of the given version, in one query (no commit text or files
// are read). The read is one snapshot, so fn may write through the store.
func (db *DB) ForEachCommitFeatures(ctx context.Context, version int, fn func(CommitFeatures) error) error {
	rows, err := db.sql.QueryContext(ctx, `
		SELECT c.id, r.name, c.sha, f.data
		FROM features f JOIN commits c ON c.id = f.commit_id JOIN repositories r ON r.id = c.repo_id
		WHERE f.version = ? ORDER BY c.id`, version)
	if err != nil {
		return fmt.Errorf("store: commit features: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var cf CommitFeatures
		if err := rows.Scan(&cf.CommitID, &cf.Repo, &cf.SHA, &cf.Data); err != nil {
			return fmt.Errorf("store: commit features: %w", err)
		}
		if err := fn(cf); err != nil {
			return err
		}
	}
	return rows.Err()
}
