package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// RepositoryModel is one version of a repository's learned model.
type RepositoryModel struct {
	Repo string
	// Version numbers a repository's models from 1, in publication order.
	Version   int
	CreatedAt time.Time
	// Accepted is set when the model beat the global model on the
	// repository's newest commits and serves it.
	Accepted bool
	// Commits counts the labeled commits learned from.
	Commits int
	// Report is the learning's JSON report.
	Report []byte
	// Files is the model directory, archived (empty when not accepted).
	Files []byte
	// Inputs is a digest of what the model was learned from (the global
	// model, the labeled commits, the options): a learn whose Inputs
	// equal the newest version's publishes no new version.
	Inputs string
}

// PublishRepositoryModel stores m as the next version of its repository's
// models, in one statement: a model is published whole or not at all. It
// returns the version given.
func (db *DB) PublishRepositoryModel(ctx context.Context, m RepositoryModel) (int, error) {
	var version int
	if m.Files == nil {
		m.Files = []byte{} // a rejected model has no files
	}
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		// Learning workers of several processes may publish a model of
		// the same repository at once: each must get the next version.
		if err := db.lockInTx(ctx, tx, "repository_models/"+m.Repo); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `
			INSERT INTO repository_models (repo, version, created_at, accepted, commits, report, files, inputs)
			VALUES (?, (SELECT COALESCE(MAX(version), 0) + 1 FROM repository_models WHERE repo = ?), ?, ?, ?, ?, ?, ?)
			RETURNING version`,
			m.Repo, m.Repo, now(), m.Accepted, m.Commits, string(m.Report), m.Files, m.Inputs).Scan(&version)
	})
	if err != nil {
		return 0, fmt.Errorf("store: publish a model of %s: %w", m.Repo, err)
	}
	return version, nil
}

// ServedModelVersion returns the version of repo's newest accepted model,
// 0 when it has none: a cheap check for a newer model to load.
func (db *DB) ServedModelVersion(ctx context.Context, repo string) (int, error) {
	var v int
	err := db.reads.QueryRowContext(ctx, `
		SELECT COALESCE(MAX(version), 0) FROM repository_models WHERE repo = ? AND accepted <> 0`, repo).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("store: served model of %s: %w", repo, err)
	}
	return v, nil
}

// RepositoryModel returns version of repo's models (its newest when
// version is 0); ok is false when there is no such version.
func (db *DB) RepositoryModel(ctx context.Context, repo string, version int) (m RepositoryModel, ok bool, err error) {
	var at, report string
	err = db.reads.QueryRowContext(ctx, `
		SELECT repo, version, created_at, accepted, commits, report, files, inputs
		FROM repository_models WHERE repo = ? AND version = CASE WHEN ? > 0 THEN ?
			ELSE (SELECT MAX(version) FROM repository_models WHERE repo = ?) END`, repo, version, version, repo).
		Scan(&m.Repo, &m.Version, &at, &m.Accepted, &m.Commits, &report, &m.Files, &m.Inputs)
	if errors.Is(err, sql.ErrNoRows) {
		return m, false, nil
	}
	if err != nil {
		return m, false, fmt.Errorf("store: model %d of %s: %w", version, repo, err)
	}
	m.Report = []byte(report)
	if m.CreatedAt, err = time.Parse(time.RFC3339Nano, at); err != nil {
		return m, false, fmt.Errorf("store: model %d of %s: time %q: %w", version, repo, at, err)
	}
	return m, true, nil
}

// LastLearned returns when repo's newest model version, accepted or not,
// was published; ok is false when it was never learned.
func (db *DB) LastLearned(ctx context.Context, repo string) (at time.Time, ok bool, err error) {
	var s sql.NullString
	if err := db.reads.QueryRowContext(ctx, `
		SELECT MAX(created_at) FROM repository_models WHERE repo = ?`, repo).Scan(&s); err != nil {
		return at, false, fmt.Errorf("store: last learning of %s: %w", repo, err)
	}
	if !s.Valid {
		return at, false, nil
	}
	if at, err = time.Parse(time.RFC3339Nano, s.String); err != nil {
		return at, false, fmt.Errorf("store: last learning of %s: time %q: %w", repo, s.String, err)
	}
	return at, true, nil
}
