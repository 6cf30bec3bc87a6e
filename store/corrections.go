package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Correction actions: what a maintainer did to a label of a pull request.
const (
	CorrectionAdded   = "added"
	CorrectionRemoved = "removed"
)

// correctionTimeFormat has fixed width so that times order as text.
const correctionTimeFormat = "2006-01-02T15:04:05.000000000Z07:00"

// Correction is one label change a maintainer made on a pull request. It
// applies to every commit of the pull request, so it is stored once per SHA.
type Correction struct {
	// Repo is the repository, owner/name.
	Repo string
	// SHAs are the commits of the pull request.
	SHAs []string
	// PullNumber is the pull request the label changed on.
	PullNumber int
	// Label is the vocabulary name of the label (e.g. "fix"), not the GitHub
	// label name.
	Label string
	// Action is CorrectionAdded or CorrectionRemoved.
	Action string
	// Sender is the GitHub login that changed the label.
	Sender string
	// DeliveryID is the webhook delivery that reported it.
	DeliveryID string
	// CreatedAt is when the label changed; zero means now.
	CreatedAt time.Time
}

// AddCorrection records c, one row per SHA, in one transaction.
func (db *DB) AddCorrection(ctx context.Context, c Correction) error {
	switch {
	case c.Repo == "":
		return errors.New("store: correction: repository is empty")
	case c.Label == "":
		return fmt.Errorf("store: correction in %s: label is empty", c.Repo)
	case c.Action != CorrectionAdded && c.Action != CorrectionRemoved:
		return fmt.Errorf("store: correction of label %s in %s: action %q is neither %q nor %q",
			c.Label, c.Repo, c.Action, CorrectionAdded, CorrectionRemoved)
	case len(c.SHAs) == 0:
		return fmt.Errorf("store: correction of label %s in %s: no commit", c.Label, c.Repo)
	}
	created := c.CreatedAt
	if created.IsZero() {
		created = time.Now()
	}
	at := created.UTC().Format(correctionTimeFormat)
	return db.Tx(ctx, func(tx *sql.Tx) error {
		ins, err := tx.PrepareContext(ctx, `
			INSERT INTO corrections (repo, sha, pull_number, label, action, sender, delivery_id, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return fmt.Errorf("store: prepare correction: %w", err)
		}
		defer ins.Close()
		for _, sha := range c.SHAs {
			if sha == "" {
				return fmt.Errorf("store: correction of label %s in %s: empty commit SHA", c.Label, c.Repo)
			}
			if _, err := ins.ExecContext(ctx, c.Repo, sha, c.PullNumber, c.Label, c.Action, c.Sender, c.DeliveryID, at); err != nil {
				return fmt.Errorf("store: correction of label %s on commit %s of %s: %w", c.Label, sha, c.Repo, err)
			}
		}
		return nil
	})
}

// CommitCorrection is one stored correction row: one label change on one commit.
type CommitCorrection struct {
	// CommitID is the stored commit's id, 0 when the commit is not extracted.
	CommitID   int64
	Repo       string
	SHA        string
	PullNumber int
	Label      string
	Action     string
	CreatedAt  time.Time
}

// Corrections returns every correction grouped by commit (repository, SHA)
// and, within a commit, oldest first (by time, then by insertion), so that a
// reader folding them sees each label's latest action last.
func (db *DB) Corrections(ctx context.Context) ([]CommitCorrection, error) {
	rows, err := db.sql.QueryContext(ctx, `
		SELECT COALESCE(c.id, 0), k.repo, k.sha, k.pull_number, k.label, k.action, k.created_at
		FROM corrections k
		LEFT JOIN repositories r ON r.name = k.repo
		LEFT JOIN commits c ON c.repo_id = r.id AND c.sha = k.sha
		ORDER BY k.repo, k.sha, k.created_at, k.id`)
	if err != nil {
		return nil, fmt.Errorf("store: corrections: %w", err)
	}
	defer rows.Close()
	var out []CommitCorrection
	for rows.Next() {
		var c CommitCorrection
		var at string
		if err := rows.Scan(&c.CommitID, &c.Repo, &c.SHA, &c.PullNumber, &c.Label, &c.Action, &at); err != nil {
			return nil, fmt.Errorf("store: corrections: %w", err)
		}
		if c.CreatedAt, err = time.Parse(time.RFC3339Nano, at); err != nil {
			return nil, fmt.Errorf("store: correction of commit %s in %s: time %q: %w", c.SHA, c.Repo, at, err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
