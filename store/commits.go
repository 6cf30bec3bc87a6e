package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// Commit is one non-merge commit with its message, totals and truncated diff.
type Commit struct {
	ID     int64
	RepoID int64
	// Repo is the repository name; filled by reads, ignored by writes.
	Repo string
	SHA  string
	// AuthoredAt is ISO 8601 with the author's UTC offset; AuthoredUnix the same instant.
	AuthoredAt   string
	AuthoredUnix int64
	Subject      string
	Body         string
	FilesChanged int
	Additions    int
	Deletions    int
	Diff         string
	PatchID      string
	AuthorIsBot  bool
	Files        []File
}

// File is one changed file of a commit: the same struct as classify.File
// (store imports no package of ours; pipeline converts between the two
// with a type conversion, so they cannot drift apart).
type File struct {
	Path      string
	OldPath   string
	Status    string // A, M, D, R, C or T
	Additions int
	Deletions int
	Binary    bool
}

// CommitWriter inserts commits and their files inside one transaction with
// prepared statements.
type CommitWriter struct {
	ctx    context.Context
	tx     *sql.Tx
	commit *sql.Stmt
	// files holds the statements inserting n files at once, by n: one
	// statement per commit costs far less than one per file.
	files map[int]*sql.Stmt
}

// NewCommitWriter prepares the insert statements on tx. Close it before the
// transaction ends.
func NewCommitWriter(ctx context.Context, tx *sql.Tx) (*CommitWriter, error) {
	c, err := tx.PrepareContext(ctx, `
		INSERT INTO commits (repo_id, sha, authored_at, authored_unix, subject, body,
			files_changed, additions, deletions, diff, patch_id, author_is_bot)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (repo_id, sha) DO NOTHING`)
	if err != nil {
		return nil, fmt.Errorf("store: prepare commit insert: %w", err)
	}
	return &CommitWriter{ctx: ctx, tx: tx, commit: c, files: make(map[int]*sql.Stmt)}, nil
}

// Insert stores c and its files, sets c.ID and reports whether it was new; a
// commit already stored for the repository is left as it is.
func (w *CommitWriter) Insert(c *Commit) (bool, error) {
	res, err := w.commit.ExecContext(w.ctx, c.RepoID, c.SHA, c.AuthoredAt, c.AuthoredUnix,
		c.Subject, c.Body, c.FilesChanged, c.Additions, c.Deletions, c.Diff, c.PatchID, c.AuthorIsBot)
	if err != nil {
		return false, fmt.Errorf("store: insert commit %s: %w", c.SHA, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return false, err // DO NOTHING: the commit is already stored
	}
	if c.ID, err = res.LastInsertId(); err != nil {
		return false, fmt.Errorf("store: insert commit %s: %w", c.SHA, err)
	}
	if len(c.Files) == 0 {
		return true, nil
	}
	st, err := w.fileStmt(len(c.Files))
	if err != nil {
		return false, err
	}
	args := make([]any, 0, len(c.Files)*fileColumns)
	for i, f := range c.Files {
		args = append(args, c.ID, i, f.Path, f.OldPath, f.Status, f.Additions, f.Deletions, f.Binary)
	}
	if _, err := st.ExecContext(w.ctx, args...); err != nil {
		return false, fmt.Errorf("store: insert files of commit %s: %w", c.SHA, err)
	}
	return true, nil
}

// fileColumns is the number of values per commit_files row.
const fileColumns = 8

// fileStmt returns the statement inserting n files, preparing it once.
func (w *CommitWriter) fileStmt(n int) (*sql.Stmt, error) {
	if st, ok := w.files[n]; ok {
		return st, nil
	}
	q := `INSERT INTO commit_files (commit_id, position, path, old_path, status, additions, deletions, "binary") VALUES ` +
		strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?, ?, ?), ", n), ", ")
	st, err := w.tx.PrepareContext(w.ctx, q)
	if err != nil {
		return nil, fmt.Errorf("store: prepare file insert: %w", err)
	}
	w.files[n] = st
	return st, nil
}

// Close releases the prepared statements.
func (w *CommitWriter) Close() error {
	for _, st := range w.files {
		st.Close()
	}
	return w.commit.Close()
}

// CommitSHAs returns the set of commit ids already stored for a repository.
func (db *DB) CommitSHAs(ctx context.Context, repoID int64) (map[string]struct{}, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT sha FROM commits WHERE repo_id = ?`, repoID)
	if err != nil {
		return nil, fmt.Errorf("store: commit shas: %w", err)
	}
	defer rows.Close()
	out := make(map[string]struct{})
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, fmt.Errorf("store: commit shas: %w", err)
		}
		out[s] = struct{}{}
	}
	return out, rows.Err()
}

// CommitRef is the part of a commit that sampling needs.
type CommitRef struct {
	ID           int64
	RepoID       int64
	SHA          string
	AuthoredUnix int64
	PatchID      string
}

// CommitRefs returns every commit's reference in (repository, time, sha) order.
func (db *DB) CommitRefs(ctx context.Context) ([]CommitRef, error) {
	rows, err := db.sql.QueryContext(ctx,
		`SELECT id, repo_id, sha, authored_unix, patch_id FROM commits ORDER BY repo_id, authored_unix, sha`)
	if err != nil {
		return nil, fmt.Errorf("store: commit refs: %w", err)
	}
	defer rows.Close()
	var out []CommitRef
	for rows.Next() {
		var r CommitRef
		if err := rows.Scan(&r.ID, &r.RepoID, &r.SHA, &r.AuthoredUnix, &r.PatchID); err != nil {
			return nil, fmt.Errorf("store: commit refs: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// CommitFilter selects commits for ForEachCommit.
type CommitFilter struct {
	// SampledOnly keeps commits of the stride sample.
	SampledOnly bool
	// WithoutFeaturesVersion, when non-zero, keeps commits whose features are
	// missing or of another version.
	WithoutFeaturesVersion int
	// NotLabeledBy, when set, keeps commits that source has not finished with
	// labeler version NotLabeledByVersion.
	NotLabeledBy        string
	NotLabeledByVersion string
	// SkipDuplicates drops commits marked as duplicates by the stride phase.
	SkipDuplicates bool
	// Repo, when set, keeps the commits of that repository (owner/name).
	Repo string
}

// ForEachCommit streams the commits matching f, with their files, in id order.
// The read is one snapshot (WAL), so fn may write through the store meanwhile.
func (db *DB) ForEachCommit(ctx context.Context, f CommitFilter, fn func(*Commit) error) error {
	var where []string
	var args []any
	if f.SampledOnly {
		where = append(where, `c.id IN (SELECT commit_id FROM samples)`)
	}
	if f.SkipDuplicates {
		where = append(where, `c.id NOT IN (SELECT commit_id FROM duplicates)`)
	}
	if f.WithoutFeaturesVersion != 0 {
		where = append(where, `c.id NOT IN (SELECT commit_id FROM features WHERE version = ?)`)
		args = append(args, f.WithoutFeaturesVersion)
	}
	if f.NotLabeledBy != "" {
		where = append(where, `c.id NOT IN (SELECT commit_id FROM labelings WHERE source = ? AND labeler_version = ?)`)
		args = append(args, f.NotLabeledBy, f.NotLabeledByVersion)
	}
	if f.Repo != "" {
		where = append(where, `r.name = ?`)
		args = append(args, f.Repo)
	}
	q := `SELECT c.id, c.repo_id, r.name, c.sha, c.authored_at, c.authored_unix, c.subject, c.body,
		c.files_changed, c.additions, c.deletions, c.diff, c.patch_id, c.author_is_bot
		FROM commits c JOIN repositories r ON r.id = c.repo_id`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY c.id"
	// Files are read in a second, merged cursor so that one query per commit is avoided.
	fq := `SELECT commit_id, path, old_path, status, additions, deletions, "binary" FROM commit_files ORDER BY commit_id, position`

	rows, err := db.sql.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("store: commits: %w", err)
	}
	defer rows.Close()
	frows, err := db.sql.QueryContext(ctx, fq)
	if err != nil {
		return fmt.Errorf("store: commit files: %w", err)
	}
	defer frows.Close()

	var pending *struct {
		id int64
		f  File
	}
	nextFile := func() (bool, error) {
		if !frows.Next() {
			pending = nil
			return false, frows.Err()
		}
		if pending == nil {
			pending = &struct {
				id int64
				f  File
			}{}
		}
		err := frows.Scan(&pending.id, &pending.f.Path, &pending.f.OldPath, &pending.f.Status,
			&pending.f.Additions, &pending.f.Deletions, &pending.f.Binary)
		return err == nil, err
	}
	if _, err := nextFile(); err != nil {
		return fmt.Errorf("store: commit files: %w", err)
	}
	for rows.Next() {
		var c Commit
		if err := rows.Scan(&c.ID, &c.RepoID, &c.Repo, &c.SHA, &c.AuthoredAt, &c.AuthoredUnix, &c.Subject, &c.Body,
			&c.FilesChanged, &c.Additions, &c.Deletions, &c.Diff, &c.PatchID, &c.AuthorIsBot); err != nil {
			return fmt.Errorf("store: commits: %w", err)
		}
		for pending != nil && pending.id < c.ID {
			if _, err := nextFile(); err != nil {
				return fmt.Errorf("store: commit files: %w", err)
			}
		}
		for pending != nil && pending.id == c.ID {
			c.Files = append(c.Files, pending.f)
			if _, err := nextFile(); err != nil {
				return fmt.Errorf("store: commit files: %w", err)
			}
		}
		if err := fn(&c); err != nil {
			return err
		}
	}
	return rows.Err()
}

// CountCommits returns the number of stored commits.
func (db *DB) CountCommits(ctx context.Context) (int64, error) {
	var n int64
	err := db.sql.QueryRowContext(ctx, `SELECT count(*) FROM commits`).Scan(&n)
	return n, err
}

// CommitIDs returns the ids of a repository's stored commits by SHA.
func (db *DB) CommitIDs(ctx context.Context, repo string) (map[string]int64, error) {
	rows, err := db.sql.QueryContext(ctx, `
		SELECT c.sha, c.id FROM commits c JOIN repositories r ON r.id = c.repo_id WHERE r.name = ?`, repo)
	if err != nil {
		return nil, fmt.Errorf("store: commits of %s: %w", repo, err)
	}
	defer rows.Close()
	ids := make(map[string]int64)
	for rows.Next() {
		var sha string
		var id int64
		if err := rows.Scan(&sha, &id); err != nil {
			return nil, fmt.Errorf("store: commits of %s: %w", repo, err)
		}
		ids[sha] = id
	}
	return ids, rows.Err()
}
