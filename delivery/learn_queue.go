package delivery

import (
	"context"
	"database/sql"
	"fmt"
	"slices"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/commit-labeler/commit-labeler/learnjob"
	"github.com/commit-labeler/commit-labeler/store"
)

// LearnQueue enqueues "learn repository" jobs in the bot's database for
// the learning worker (`train worker`): the bot never trains inline.
type LearnQueue struct {
	db     *store.DB
	client *river.Client[*sql.Tx]
	// takeover frees the job of a worker that died while running it.
	takeover *store.Takeover
}

// NewLearnQueue makes an insert-only River client on db. River's tables
// are made by the server's queue before any handler runs.
func NewLearnQueue(db *store.DB) (*LearnQueue, error) {
	client, err := river.NewClient(db.RiverDriver(), &river.Config{})
	if err != nil {
		return nil, fmt.Errorf("delivery: learn queue: %w", err)
	}
	takeover, err := db.NewTakeover(learnjob.Kind)
	if err != nil {
		return nil, fmt.Errorf("delivery: learn queue: %w", err)
	}
	return &LearnQueue{db: db, client: client, takeover: takeover}, nil
}

// EnqueueLearn enqueues a learn job, in a transaction of the store's
// single writer; queued is false when one for the repository is already
// waiting or running on a live worker (one running on a dead worker is
// taken over: it waits again).
func (q *LearnQueue) EnqueueLearn(ctx context.Context, args learnjob.Args) (bool, error) {
	var queued bool
	var running int64
	err := q.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := q.client.InsertTx(ctx, tx, args, nil)
		if err == nil {
			queued = !res.UniqueSkippedAsDuplicate
			if !queued && res.Job.State == rivertype.JobStateRunning {
				running = res.Job.ID
			}
		}
		return err
	})
	if err == nil && running != 0 {
		var taken store.Taken
		taken, err = q.takeover.Pass(ctx)
		queued = slices.Contains(taken.Requeued, running)
	}
	if err != nil {
		return false, fmt.Errorf("delivery: enqueue learning %s: %w", args.Repo, err)
	}
	return queued, nil
}
