package webhook

import (
	"context"
	"database/sql"
	"errors"
	"sync"

	"github.com/riverqueue/river"

	"github.com/commit-labeler/commit-labeler/store"
)

// maxCommitBatch bounds the deliveries one transaction commits: a batch of
// 30 kB payloads stays a few MB of WAL.
const maxCommitBatch = 256

// errIntakeStopped answers deliveries that arrive while the server stops.
var errIntakeStopped = errors.New("webhook: intake stopped")

// committer is the intake's single writer (group commit): it takes the
// deliveries that arrive while the previous transaction commits and stores
// them, with their jobs, in one transaction. Each request is answered only
// after its batch is committed, so an answered delivery is as durable as
// with a transaction of its own, while SQLite's one writer is never fought
// over by concurrent requests (whose busy-waits cost hundreds of ms).
type committer struct {
	db    *store.DB
	queue *queue
	// in is unbuffered: a delivery handed over is always answered, and a
	// sender blocked on it is what the writer collects into its next batch.
	in       chan *pendingDelivery
	stopping chan struct{}
	stopOnce sync.Once
	stopped  chan struct{}
}

// pendingDelivery is a delivery waiting for its batch's commit.
type pendingDelivery struct {
	d     store.Delivery
	fresh bool
	err   error
	done  chan struct{}
}

func newCommitter(db *store.DB, q *queue) *committer {
	c := &committer{db: db, queue: q, in: make(chan *pendingDelivery),
		stopping: make(chan struct{}), stopped: make(chan struct{})}
	go c.run()
	return c
}

// store commits d and its job, reporting whether its GUID is new (a known
// one, stored earlier or earlier in the same batch, gets no new job). It
// returns when the batch holding d is committed or failed, or when ctx ends
// first (d may then still be committed: a redelivery is a duplicate).
func (c *committer) store(ctx context.Context, d store.Delivery) (fresh bool, err error) {
	p := &pendingDelivery{d: d, done: make(chan struct{})}
	select {
	case c.in <- p:
	case <-c.stopping:
		return false, errIntakeStopped
	case <-ctx.Done():
		return false, ctx.Err()
	}
	select {
	case <-p.done:
		return p.fresh, p.err
	case <-ctx.Done():
		return false, ctx.Err()
	}
}

// stop finishes the batch being committed and refuses later deliveries.
func (c *committer) stop() {
	c.stopOnce.Do(func() { close(c.stopping) })
	<-c.stopped
}

func (c *committer) run() {
	defer close(c.stopped)
	batch := make([]*pendingDelivery, 0, maxCommitBatch)
	for {
		select {
		case p := <-c.in:
			batch = append(batch[:0], p)
		case <-c.stopping:
			return
		}
	collect:
		for len(batch) < maxCommitBatch {
			select {
			case p := <-c.in:
				batch = append(batch, p)
			default:
				break collect
			}
		}
		c.commit(batch)
	}
}

// commit stores a batch in one transaction. When that fails, it stores each
// delivery alone, so that one bad delivery fails only its own request.
func (c *committer) commit(batch []*pendingDelivery) {
	// The requests wait for the outcome: a client going away must not
	// roll back the others' deliveries.
	ctx := context.Background()
	err := c.db.Tx(ctx, func(tx *sql.Tx) error { return c.insertTx(ctx, tx, batch) })
	if err != nil && len(batch) > 1 {
		for _, p := range batch {
			c.commit([]*pendingDelivery{p})
		}
		return
	}
	for _, p := range batch {
		if err != nil {
			p.fresh, p.err = false, err
		}
		close(p.done)
	}
}

// insertTx inserts the batch's deliveries and one job per new GUID.
func (c *committer) insertTx(ctx context.Context, tx *sql.Tx, batch []*pendingDelivery) error {
	jobs := make([]river.InsertManyParams, 0, len(batch))
	for _, p := range batch {
		fresh, err := store.InsertDeliveryTx(ctx, tx, p.d)
		if err != nil {
			return err
		}
		p.fresh = fresh
		if fresh {
			jobs = append(jobs, river.InsertManyParams{Args: deliveryArgs{DeliveryID: p.d.ID, Event: p.d.Event}})
		}
	}
	return c.queue.enqueueManyTx(ctx, tx, jobs)
}
