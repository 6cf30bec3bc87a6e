package store

import (
	"context"
	"fmt"
	"strconv"
	"time"
)

// CorpusCounts are the sizes of the stored corpus.
type CorpusCounts struct {
	Repositories int64 `json:"repositories"`
	Commits      int64 `json:"commits"`
	// BotCommits counts the commits whose author looks like a bot.
	BotCommits int64 `json:"bot_commits"`
	// Duplicates counts the commits whose patch duplicates an earlier one.
	Duplicates int64 `json:"duplicates"`
	// Sampled counts the commits of the stride sample.
	Sampled int64 `json:"sampled"`
	// WithFeatures counts the commits with built features.
	WithFeatures int64 `json:"with_features"`
}

// CorpusCounts counts the repositories, commits, duplicates, sampled commits
// and commits with features.
func (db *DB) CorpusCounts(ctx context.Context) (CorpusCounts, error) {
	var c CorpusCounts
	err := db.sql.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM repositories),
		(SELECT count(*) FROM commits),
		(SELECT count(*) FROM commits WHERE author_is_bot <> 0),
		(SELECT count(*) FROM duplicates),
		(SELECT count(*) FROM samples),
		(SELECT count(*) FROM features)`).Scan(
		&c.Repositories, &c.Commits, &c.BotCommits, &c.Duplicates, &c.Sampled, &c.WithFeatures)
	if err != nil {
		return c, fmt.Errorf("store: corpus counts: %w", err)
	}
	return c, nil
}

// CommitGroup is where a commit belongs in the reports: its repository and
// the UTC year it was authored in (the stride sample's year).
type CommitGroup struct {
	Repo string
	Year int
}

// CommitGroups returns every commit's repository and year by commit id.
func (db *DB) CommitGroups(ctx context.Context) (map[int64]CommitGroup, error) {
	rows, err := db.sql.QueryContext(ctx, `
		SELECT c.id, r.name, c.authored_unix
		FROM commits c JOIN repositories r ON r.id = c.repo_id`)
	if err != nil {
		return nil, fmt.Errorf("store: commit groups: %w", err)
	}
	defer rows.Close()
	out := make(map[int64]CommitGroup)
	for rows.Next() {
		var id int64
		var g CommitGroup
		var authored int64
		if err := rows.Scan(&id, &g.Repo, &authored); err != nil {
			return nil, fmt.Errorf("store: commit groups: %w", err)
		}
		// The year is taken here, not in SQL, where every engine says it
		// differently.
		g.Year = time.Unix(authored, 0).UTC().Year()
		out[id] = g
	}
	return out, rows.Err()
}

// LabelPair counts the commits to which source A gave primary label A and
// source B primary label B.
type LabelPair struct {
	A, B string
	N    int64
}

// PrimaryLabelPairs compares the primary labels of two sources on the
// commits both labeled: one row per pair of labels that occurs.
func (db *DB) PrimaryLabelPairs(ctx context.Context, sourceA, sourceB string) ([]LabelPair, error) {
	rows, err := db.sql.QueryContext(ctx, `
		SELECT a.label, b.label, count(*)
		FROM commit_labels a
		JOIN commit_labels b ON b.commit_id = a.commit_id AND b.source = ? AND b.rank = 0
		WHERE a.source = ? AND a.rank = 0
		GROUP BY a.label, b.label
		ORDER BY a.label, b.label`, sourceB, sourceA)
	if err != nil {
		return nil, fmt.Errorf("store: %s/%s label pairs: %w", sourceA, sourceB, err)
	}
	defer rows.Close()
	var out []LabelPair
	for rows.Next() {
		var p LabelPair
		if err := rows.Scan(&p.A, &p.B, &p.N); err != nil {
			return nil, fmt.Errorf("store: %s/%s label pairs: %w", sourceA, sourceB, err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// ConfidenceBins is the number of equal-width bins of ConfidenceHistograms.
const ConfidenceBins = 10

// ConfidenceHistograms counts every stored label's confidence by source in
// ConfidenceBins bins over [0, 1]; bin i holds [i/10, (i+1)/10), the last
// one also 1.
func (db *DB) ConfidenceHistograms(ctx context.Context) (map[string][]int64, error) {
	rows, err := db.sql.QueryContext(ctx, `
		SELECT source, `+db.dialect.truncate("confidence * "+strconv.Itoa(ConfidenceBins))+`, count(*)
		FROM commit_labels GROUP BY 1, 2`)
	if err != nil {
		return nil, fmt.Errorf("store: confidence histograms: %w", err)
	}
	defer rows.Close()
	out := make(map[string][]int64)
	for rows.Next() {
		var src string
		var bin int
		var n int64
		if err := rows.Scan(&src, &bin, &n); err != nil {
			return nil, fmt.Errorf("store: confidence histograms: %w", err)
		}
		if out[src] == nil {
			out[src] = make([]int64, ConfidenceBins)
		}
		out[src][min(bin, ConfidenceBins-1)] += n // a confidence of 1
	}
	return out, rows.Err()
}

// PhaseRuns summarises the recorded runs of one phase.
type PhaseRuns struct {
	Phase string `json:"phase"`
	// Runs counts the phase's runs, OK those that succeeded.
	Runs int64 `json:"runs"`
	OK   int64 `json:"ok"`
	// Last is the phase's most recent run.
	Last Run `json:"last"`
}

// LastRuns returns, for every phase that ran, its run counts and its most
// recent run, in order of the phases' first runs.
func (db *DB) LastRuns(ctx context.Context) ([]PhaseRuns, error) {
	rows, err := db.sql.QueryContext(ctx, `
		WITH per_phase AS (
			SELECT phase, count(*) AS runs, sum(CASE WHEN status = 'ok' THEN 1 ELSE 0 END) AS ok, min(id) AS first, max(id) AS last
			FROM runs GROUP BY phase
		)
		SELECT p.runs, p.ok, r.id, r.phase, r.params, r.started_at, COALESCE(r.finished_at, ''),
			COALESCE(r.duration_ms, 0), r.status, r.counts, r.error, r.worker
		FROM per_phase p JOIN runs r ON r.id = p.last
		ORDER BY p.first`)
	if err != nil {
		return nil, fmt.Errorf("store: last runs: %w", err)
	}
	defer rows.Close()
	var out []PhaseRuns
	for rows.Next() {
		var p PhaseRuns
		r, err := scanRun(rows, &p.Runs, &p.OK)
		if err != nil {
			return nil, fmt.Errorf("store: last runs: %w", err)
		}
		p.Phase, p.Last = r.Phase, r
		out = append(out, p)
	}
	return out, rows.Err()
}
