package pipeline

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/commit-labeler/commit-labeler/classify"
	"github.com/commit-labeler/commit-labeler/store"
)

// Enrich counters.
const (
	CountEnriched       = "enriched"
	CountAlreadyCurrent = "already_current"
)

// writeBatch is how many commits one transaction of enrich or import writes:
// large enough to amortise the commit, small enough that a killed run loses
// little and memory stays low.
const writeBatch = 2000

// featureRow is the features document of one commit, ready to store.
type featureRow struct {
	commitID int64
	sha      string
	data     []byte
	err      error
}

// Enrich builds the features of every commit whose features are missing or of
// another version than classify.FeaturesVersion. Features are built on all
// cores and stored in transactions of writeBatch commits, so a killed run
// keeps whole batches and a rerun completes the rest.
func Enrich(ctx context.Context, env *Env) (Counts, error) {
	total, err := env.DB.CountCommits(ctx)
	if err != nil {
		return nil, err
	}
	current, err := env.DB.CountFeatures(ctx, classify.FeaturesVersion)
	if err != nil {
		return nil, err
	}
	counts := Counts{CountEnriched: 0, CountAlreadyCurrent: current}
	progress := env.Progress("enrich", int(total-current))
	defer progress.Done()

	flow := batchFlow[*store.Commit, featureRow]{
		Size: writeBatch,
		Transform: func(c *store.Commit) featureRow {
			data, err := json.Marshal(classify.BuildFeatures(classifyCommit(c)))
			return featureRow{commitID: c.ID, sha: c.SHA, data: data, err: err}
		},
		Write: func(rows []featureRow) error {
			if err := putFeatures(ctx, env.DB, rows); err != nil {
				return err
			}
			counts[CountEnriched] += int64(len(rows))
			progress.Add(len(rows))
			return nil
		},
	}
	err = flow.Run(ctx, func(ctx context.Context, emit func(*store.Commit) error) error {
		return env.DB.ForEachCommit(ctx, store.CommitFilter{WithoutFeaturesVersion: classify.FeaturesVersion}, emit)
	})
	return counts, err
}

// putFeatures stores a batch of feature documents in one transaction.
func putFeatures(ctx context.Context, db *store.DB, rows []featureRow) error {
	return db.Tx(ctx, func(tx *sql.Tx) error {
		w, err := store.NewFeatureWriter(ctx, tx)
		if err != nil {
			return err
		}
		defer w.Close()
		for _, r := range rows {
			if r.err != nil {
				return fmt.Errorf("features of commit %s: %w", r.sha, r.err)
			}
			if err := w.Put(r.commitID, classify.FeaturesVersion, r.data); err != nil {
				return err
			}
		}
		return nil
	})
}
