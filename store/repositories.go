package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Repository is a git repository known to the pipeline.
type Repository struct {
	ID int64
	// Name is owner/name for GitHub repositories, the directory name otherwise.
	Name string
	// URL is the clone source, never carrying credentials.
	URL string
	// InstallationID is the GitHub App installation that reaches it, or 0.
	InstallationID int64
	// ClonePath is the bare clone in the work directory.
	ClonePath string
	// Head is the commit the last fetch found.
	Head string
}

// ErrNotFound is returned when a looked-up row does not exist.
var ErrNotFound = errors.New("not found")

// UpsertRepository inserts the repository or updates the one of the same
// name, and returns its id.
func (db *DB) UpsertRepository(ctx context.Context, r Repository) (int64, error) {
	var id int64
	err := db.sql.QueryRowContext(ctx, `
		INSERT INTO repositories (name, url, installation_id, clone_path, head, fetched_at)
		VALUES (?, ?, NULLIF(CAST(? AS BIGINT), 0), ?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET
			url = excluded.url,
			installation_id = COALESCE(excluded.installation_id, repositories.installation_id),
			clone_path = CASE WHEN excluded.clone_path <> '' THEN excluded.clone_path ELSE repositories.clone_path END,
			head = CASE WHEN excluded.head <> '' THEN excluded.head ELSE repositories.head END,
			fetched_at = excluded.fetched_at
		RETURNING id`,
		r.Name, r.URL, r.InstallationID, r.ClonePath, r.Head, now()).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("store: upsert repository %s: %w", r.Name, err)
	}
	return id, nil
}

// EnsureRepository returns the id of the repository of that name, creating a
// bare row when it does not exist (imported corpora have no clone).
func (db *DB) EnsureRepository(ctx context.Context, tx *sql.Tx, name string) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `
		INSERT INTO repositories (name) VALUES (?)
		ON CONFLICT (name) DO UPDATE SET name = excluded.name
		RETURNING id`, name).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("store: repository %s: %w", name, err)
	}
	return id, nil
}

// Repositories lists repositories by name.
func (db *DB) Repositories(ctx context.Context) ([]Repository, error) {
	rows, err := db.sql.QueryContext(ctx, `
		SELECT id, name, url, COALESCE(installation_id, 0), clone_path, head
		FROM repositories ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("store: repositories: %w", err)
	}
	defer rows.Close()
	var out []Repository
	for rows.Next() {
		var r Repository
		if err := rows.Scan(&r.ID, &r.Name, &r.URL, &r.InstallationID, &r.ClonePath, &r.Head); err != nil {
			return nil, fmt.Errorf("store: repositories: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// RepositoryByName returns the repository of that name, or ErrNotFound.
func (db *DB) RepositoryByName(ctx context.Context, name string) (Repository, error) {
	var r Repository
	err := db.sql.QueryRowContext(ctx, `
		SELECT id, name, url, COALESCE(installation_id, 0), clone_path, head
		FROM repositories WHERE name = ?`, name).
		Scan(&r.ID, &r.Name, &r.URL, &r.InstallationID, &r.ClonePath, &r.Head)
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("store: repository %s: %w", name, ErrNotFound)
	}
	if err != nil {
		return r, fmt.Errorf("store: repository %s: %w", name, err)
	}
	return r, nil
}
