package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// RepoConfigFile is a repository's configuration file as last read.
type RepoConfigFile struct {
	Repo string
	// Found is false when the repository has no configuration file.
	Found bool
	// BlobSHA is the git blob of the file.
	BlobSHA   string
	Content   string
	FetchedAt time.Time
}

// RepoConfigFile returns the cached configuration file of repo; ok is false
// when none is cached.
func (db *DB) RepoConfigFile(ctx context.Context, repo string) (f RepoConfigFile, ok bool, err error) {
	f.Repo = repo
	var at string
	err = db.reads.QueryRowContext(ctx, `
		SELECT found, blob_sha, content, fetched_at FROM bot_repo_configs WHERE repo = ?`, repo).
		Scan(&f.Found, &f.BlobSHA, &f.Content, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return f, false, nil
	}
	if err != nil {
		return f, false, fmt.Errorf("store: configuration of %s: %w", repo, err)
	}
	if f.FetchedAt, err = time.Parse(time.RFC3339Nano, at); err != nil {
		return f, false, fmt.Errorf("store: configuration of %s: time %q: %w", repo, at, err)
	}
	return f, true, nil
}

// PutRepoConfigFile caches a repository's configuration file, fetched now.
func (db *DB) PutRepoConfigFile(ctx context.Context, f RepoConfigFile) error {
	_, err := db.exec(ctx, `
		INSERT INTO bot_repo_configs (repo, found, blob_sha, content, fetched_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (repo) DO UPDATE SET
			found = excluded.found, blob_sha = excluded.blob_sha, content = excluded.content,
			fetched_at = excluded.fetched_at`,
		f.Repo, f.Found, f.BlobSHA, f.Content, now())
	if err != nil {
		return fmt.Errorf("store: cache configuration of %s: %w", f.Repo, err)
	}
	return nil
}

// ForgetRepoConfigFile drops the cached configuration of repo, so that the
// next event reads it again.
func (db *DB) ForgetRepoConfigFile(ctx context.Context, repo string) error {
	if _, err := db.exec(ctx, `DELETE FROM bot_repo_configs WHERE repo = ?`, repo); err != nil {
		return fmt.Errorf("store: forget configuration of %s: %w", repo, err)
	}
	return nil
}
