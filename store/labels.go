package store

import (
	"context"
	"database/sql"
	"fmt"
)

// Label sources, in order of precedence.
const (
	SourceHuman        = "human"
	SourcePullRequest  = "pull_request"
	SourceConventional = "conventional"
	SourceOllama       = "ollama"
)

// SourcePrecedence orders label sources from most to least trusted: when
// sources disagree the first one that labeled a commit wins. A merged pull
// request's labels were chosen by its maintainers, its title reviewed with
// it: both over the commit's own header.
var SourcePrecedence = []string{SourceHuman, SourcePullRequest, SourceConventional, SourceOllama}

// CommitLabel is one label a source gave a commit.
type CommitLabel struct {
	Label      string
	Confidence float64
	Reason     string
}

// Labeling is one source's complete answer for one commit: its labels, most
// important first, possibly none.
type Labeling struct {
	CommitID       int64
	Source         string
	LabelerVersion string
	Labels         []CommitLabel
}

// LabelingWriter replaces labelings inside one transaction.
type LabelingWriter struct {
	ctx                  context.Context
	del, ins, done, undo *sql.Stmt
}

// NewLabelingWriter prepares the statements on tx. Close it before the
// transaction ends.
func NewLabelingWriter(ctx context.Context, tx *sql.Tx) (*LabelingWriter, error) {
	w := &LabelingWriter{ctx: ctx}
	for _, s := range []struct {
		dst **sql.Stmt
		q   string
	}{
		{&w.del, `DELETE FROM commit_labels WHERE commit_id = ? AND source = ?`},
		{&w.ins, `INSERT INTO commit_labels (commit_id, source, label, rank, confidence, reason, labeler_version)
			VALUES (?, ?, ?, ?, ?, ?, ?)`},
		{&w.done, `INSERT INTO labelings (commit_id, source, labeler_version, status) VALUES (?, ?, ?, ?)
			ON CONFLICT (commit_id, source) DO UPDATE SET labeler_version = excluded.labeler_version, status = excluded.status`},
		{&w.undo, `DELETE FROM labelings WHERE commit_id = ? AND source = ?`},
	} {
		st, err := tx.PrepareContext(ctx, s.q)
		if err != nil {
			w.Close()
			return nil, fmt.Errorf("store: prepare labeling: %w", err)
		}
		*s.dst = st
	}
	return w, nil
}

// Put replaces the source's labels of the commit with l and marks the commit
// done for that source and labeler version.
func (w *LabelingWriter) Put(l Labeling) error {
	if _, err := w.del.ExecContext(w.ctx, l.CommitID, l.Source); err != nil {
		return fmt.Errorf("store: labels of commit %d: %w", l.CommitID, err)
	}
	seen := make(map[string]bool, len(l.Labels))
	rank := 0
	for _, cl := range l.Labels {
		if seen[cl.Label] {
			continue
		}
		seen[cl.Label] = true
		if _, err := w.ins.ExecContext(w.ctx, l.CommitID, l.Source, cl.Label, rank, cl.Confidence, cl.Reason, l.LabelerVersion); err != nil {
			return fmt.Errorf("store: label %s of commit %d: %w", cl.Label, l.CommitID, err)
		}
		rank++
	}
	status := "labeled"
	if rank == 0 {
		status = "none"
	}
	if _, err := w.done.ExecContext(w.ctx, l.CommitID, l.Source, l.LabelerVersion, status); err != nil {
		return fmt.Errorf("store: labeling of commit %d: %w", l.CommitID, err)
	}
	return nil
}

// Clear removes the source's labels of the commit and its done mark.
func (w *LabelingWriter) Clear(commitID int64, source string) error {
	if _, err := w.del.ExecContext(w.ctx, commitID, source); err != nil {
		return fmt.Errorf("store: clear labels of commit %d: %w", commitID, err)
	}
	if _, err := w.undo.ExecContext(w.ctx, commitID, source); err != nil {
		return fmt.Errorf("store: clear labeling of commit %d: %w", commitID, err)
	}
	return nil
}

// Close releases the prepared statements.
func (w *LabelingWriter) Close() error {
	for _, s := range []*sql.Stmt{w.del, w.ins, w.done, w.undo} {
		if s != nil {
			s.Close()
		}
	}
	return nil
}

// PutLabelings stores labelings in one transaction: a batch is stored whole
// or not at all.
func (db *DB) PutLabelings(ctx context.Context, ls []Labeling) error {
	if len(ls) == 0 {
		return nil
	}
	return db.Tx(ctx, func(tx *sql.Tx) error { return putLabelingsTx(ctx, tx, ls) })
}

func putLabelingsTx(ctx context.Context, tx *sql.Tx, ls []Labeling) error {
	w, err := NewLabelingWriter(ctx, tx)
	if err != nil {
		return err
	}
	defer w.Close()
	for _, l := range ls {
		if err := w.Put(l); err != nil {
			return err
		}
	}
	return nil
}

// EffectiveLabel is the label set a commit carries after precedence: all
// labels of the most trusted source that labeled it.
type EffectiveLabel struct {
	CommitID int64
	Source   string
	Labels   []CommitLabel
}

// EffectiveLabels returns, for every labeled commit in id order, the labels
// of its most trusted source (SourcePrecedence), less the labels
// a maintainer removed (their latest correction is a removal): a maintainer
// who only says "not fix" overrules a "fix:" header without naming another
// label, and a commit left without labels has none.
func (db *DB) EffectiveLabels(ctx context.Context) ([]EffectiveLabel, error) {
	rows, err := db.sql.QueryContext(ctx, `
		WITH ranked AS (
			SELECT commit_id, source,
				CASE source WHEN 'human' THEN 0 WHEN 'pull_request' THEN 1 WHEN 'conventional' THEN 2 ELSE 3 END AS precedence
			FROM labelings WHERE status = 'labeled'
		), best AS (
			SELECT commit_id, min(precedence) AS precedence FROM ranked GROUP BY commit_id
		), latest AS (
			SELECT repo, sha, label, action,
				row_number() OVER (PARTITION BY repo, sha, label ORDER BY created_at DESC, id DESC) AS n
			FROM corrections
		), removed AS (
			SELECT c.id AS commit_id, k.label
			FROM latest k
			JOIN repositories p ON p.name = k.repo
			JOIN commits c ON c.repo_id = p.id AND c.sha = k.sha
			WHERE k.n = 1 AND k.action = 'removed'
		)
		SELECT l.commit_id, l.source, l.label, l.confidence, l.reason
		FROM best b
		JOIN ranked r ON r.commit_id = b.commit_id AND r.precedence = b.precedence
		JOIN commit_labels l ON l.commit_id = r.commit_id AND l.source = r.source
		WHERE NOT EXISTS (SELECT 1 FROM removed x WHERE x.commit_id = l.commit_id AND x.label = l.label)
		ORDER BY l.commit_id, l.rank`)
	if err != nil {
		return nil, fmt.Errorf("store: effective labels: %w", err)
	}
	defer rows.Close()
	var out []EffectiveLabel
	for rows.Next() {
		var id int64
		var src string
		var cl CommitLabel
		if err := rows.Scan(&id, &src, &cl.Label, &cl.Confidence, &cl.Reason); err != nil {
			return nil, fmt.Errorf("store: effective labels: %w", err)
		}
		if n := len(out); n == 0 || out[n-1].CommitID != id {
			out = append(out, EffectiveLabel{CommitID: id, Source: src})
		}
		out[len(out)-1].Labels = append(out[len(out)-1].Labels, cl)
	}
	return out, rows.Err()
}

// LabelCounts returns how many commits each source labeled with each label as
// its primary label, keyed by source then label.
func (db *DB) LabelCounts(ctx context.Context) (map[string]map[string]int64, error) {
	rows, err := db.sql.QueryContext(ctx, `
		SELECT source, label, count(*) FROM commit_labels WHERE rank = 0 GROUP BY source, label`)
	if err != nil {
		return nil, fmt.Errorf("store: label counts: %w", err)
	}
	defer rows.Close()
	out := make(map[string]map[string]int64)
	for rows.Next() {
		var src, label string
		var n int64
		if err := rows.Scan(&src, &label, &n); err != nil {
			return nil, fmt.Errorf("store: label counts: %w", err)
		}
		if out[src] == nil {
			out[src] = make(map[string]int64)
		}
		out[src][label] = n
	}
	return out, rows.Err()
}
