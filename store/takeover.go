package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/rivertype"
)

// Takeover makes the running jobs of processes that died available again
// (see HoldLiveness), without waiting for River's rescuer, which retries a
// job only once its timeout has passed since it started. A job is taken
// only from a process whose liveness lock the taker holds meanwhile, so
// it never runs twice at once; its attempt counts as one, as the rescuer
// would count it, and a job on its last attempt is discarded.
type Takeover struct {
	db     *DB
	kind   string
	client *river.Client[*sql.Tx]
}

// Taken is what a Takeover pass did.
type Taken struct {
	// Requeued and Discarded are the jobs made available again, and those
	// discarded as on their last attempt.
	Requeued, Discarded []int64
	// Owners are the dead processes whose jobs these were.
	Owners []string
}

// NewTakeover takes over the jobs of kind.
func (db *DB) NewTakeover(kind string) (*Takeover, error) {
	client, err := river.NewClient(db.RiverDriver(), &river.Config{})
	if err != nil {
		return nil, fmt.Errorf("store: takeover of %s jobs: %w", kind, err)
	}
	return &Takeover{db: db, kind: kind, client: client}, nil
}

// takeoverBatch bounds the running jobs one pass reads.
const takeoverBatch = 1000

// Pass takes over the running jobs of dead processes once.
func (t *Takeover) Pass(ctx context.Context) (Taken, error) {
	var taken Taken
	res, err := t.client.JobList(ctx, river.NewJobListParams().Kinds(t.kind).States(rivertype.JobStateRunning).First(takeoverBatch))
	if err != nil {
		return taken, fmt.Errorf("store: takeover of %s jobs: %w", t.kind, err)
	}
	byOwner := map[string][]*rivertype.JobRow{}
	var owners []string
	for _, j := range res.Jobs {
		if len(j.AttemptedBy) == 0 {
			continue
		}
		owner := j.AttemptedBy[len(j.AttemptedBy)-1]
		if byOwner[owner] == nil {
			owners = append(owners, owner)
		}
		byOwner[owner] = append(byOwner[owner], j)
	}
	for _, owner := range owners {
		var requeued, discarded []int64
		dead, err := t.db.withDeadOwner(ctx, owner, func(tx *sql.Tx) error {
			var err error
			requeued, discarded, err = t.requeue(ctx, tx, owner, byOwner[owner])
			return err
		})
		if err != nil {
			return taken, fmt.Errorf("store: takeover of the %s jobs of %s: %w", t.kind, owner, err)
		}
		if dead {
			taken.Owners = append(taken.Owners, owner)
			taken.Requeued = append(taken.Requeued, requeued...)
			taken.Discarded = append(taken.Discarded, discarded...)
		}
	}
	return taken, nil
}

// requeue makes jobs of the dead process owner available at once, or
// discards those on their last attempt, with River's own rescue: it
// leaves a job alone unless it is still running, and, given the job's own
// start as its horizon, unless it is still the attempt listed (not one a
// live process began since).
func (t *Takeover) requeue(ctx context.Context, tx *sql.Tx, owner string, jobs []*rivertype.JobRow) (requeued, discarded []int64, err error) {
	exec := t.db.RiverDriver().UnwrapExecutor(tx)
	now := time.Now().UTC()
	for _, j := range jobs {
		if j.AttemptedAt == nil {
			continue
		}
		cause, err := json.Marshal(rivertype.AttemptError{At: now, Attempt: j.Attempt,
			Error: fmt.Sprintf("its process %s died: taken over", owner)})
		if err != nil {
			return nil, nil, err
		}
		state, finalized := rivertype.JobStateAvailable, (*time.Time)(nil)
		if j.Attempt >= j.MaxAttempts {
			state, finalized = rivertype.JobStateDiscarded, &now
		}
		_, err = exec.JobRescueMany(ctx, &riverdriver.JobRescueManyParams{
			ID: []int64{j.ID}, Error: [][]byte{cause}, FinalizedAt: []*time.Time{finalized},
			ScheduledAt: []time.Time{now}, State: []string{string(state)},
			StuckHorizon: j.AttemptedAt.Add(time.Millisecond),
		})
		if err != nil {
			return nil, nil, err
		}
		if state == rivertype.JobStateDiscarded {
			discarded = append(discarded, j.ID)
		} else {
			requeued = append(requeued, j.ID)
		}
	}
	return requeued, discarded, nil
}

// TakeoverEvery is how often a live process looks for the jobs of dead
// ones by default: a death costs about this much, plus a fetch.
const TakeoverEvery = time.Second

// RescueHorizon is how long a job has run before River's rescuer, the
// backstop for a job nobody took over, looks at it; every River client on
// the database (a bot's, a learning worker's) uses it, as whichever leads
// runs the rescuer. It is shorter than any kind's timeout, so that the
// job's own timeout decides when its attempt counts as abandoned: a
// delivery's, a learn job's as its worker recorded it.
const RescueHorizon = time.Minute

// run makes a Pass every every until ctx ends, logging what it took.
func (t *Takeover) run(ctx context.Context, every time.Duration, log *slog.Logger) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		taken, err := t.Pass(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			log.WarnContext(ctx, "taking over the jobs of dead processes", "kind", t.kind, "err", err)
		case len(taken.Owners) > 0:
			log.InfoContext(ctx, "jobs of dead processes taken over", "kind", t.kind, "dead", taken.Owners,
				"requeued", taken.Requeued, "discarded", taken.Discarded)
		}
	}
}

// Start runs run in the background until the returned stop, which waits
// for it.
func (t *Takeover) Start(ctx context.Context, every time.Duration, log *slog.Logger) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t.run(ctx, every, log)
	}()
	return func() {
		cancel()
		<-done
	}
}
