package delivery

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/commit-labeler/commit-labeler/deliveryjob"
	"github.com/commit-labeler/commit-labeler/store"
)

// maxTurn bounds how long the intake keeps the store's connection while
// deliveries keep arriving.
const maxTurn = 50 * time.Millisecond

// maxCommitBatch bounds the deliveries one transaction commits: a batch of
// 30 kB payloads stays a few MB of WAL.
const maxCommitBatch = 256

// errIntakeStopped answers deliveries that arrive while the server stops.
var errIntakeStopped = errors.New("delivery: intake stopped")

// committer is the intake's writer (group commit; one on SQLite, a few on
// PostgreSQL: store.DB.Writers): it takes the deliveries that arrive while
// the previous transaction commits and stores them, with their jobs, in one
// transaction. Each request is answered only
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

// newCommitter starts as many writers as the store takes at once
// (store.DB.Writers): on PostgreSQL a delivery that arrives while a batch
// waits for the server goes into a batch of its own at once.
func newCommitter(db *store.DB, q *queue) *committer {
	c := &committer{db: db, queue: q, in: make(chan *pendingDelivery),
		stopping: make(chan struct{}), stopped: make(chan struct{})}
	var writers sync.WaitGroup
	for range db.Writers() {
		writers.Go(c.run)
	}
	go func() {
		writers.Wait()
		close(c.stopped)
	}()
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
	for {
		select {
		case p := <-c.in:
			c.turn(p)
		case <-c.stopping:
			return
		}
	}
}

// turn takes a store connection (on SQLite the only one: store.DB.SizePool)
// and commits batches, the first holding p, while deliveries keep coming,
// for at most maxTurn: the intake goes before the queue's jobs, which wait
// in the pool meanwhile, yet they still get the connection between turns.
func (c *committer) turn(p *pendingDelivery) {
	ctx := context.Background() // a request going away must not roll back the others
	// GitHub does not redeliver what it saw answered 2xx: the batches
	// are committed durably, even against a power loss.
	conn, release, err := c.db.DurableConn(ctx)
	if err != nil {
		p.err = fmt.Errorf("delivery: %w", err)
		close(p.done)
		return
	}
	defer release()
	batch := append(make([]*pendingDelivery, 0, maxCommitBatch), p)
	for deadline := time.Now().Add(maxTurn); ; {
		batch = c.collect(batch)
		c.commit(ctx, conn, batch)
		if time.Now().After(deadline) {
			return
		}
		select {
		case p := <-c.in:
			batch = append(batch[:0], p)
		default:
			return
		}
	}
}

// collect adds the deliveries waiting to be handed over, up to maxCommitBatch.
func (c *committer) collect(batch []*pendingDelivery) []*pendingDelivery {
	for len(batch) < maxCommitBatch {
		select {
		case p := <-c.in:
			batch = append(batch, p)
		default:
			return batch
		}
	}
	return batch
}

// commit stores a batch in one transaction and answers its requests. When
// that fails, it stores each delivery alone, so that one bad delivery fails
// only its own request.
func (c *committer) commit(ctx context.Context, conn *sql.Conn, batch []*pendingDelivery) {
	err := c.commitTx(ctx, conn, batch)
	if err != nil && len(batch) > 1 {
		for _, p := range batch {
			c.commit(ctx, conn, []*pendingDelivery{p})
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

// commitTx stores a batch and the jobs of its new deliveries, all or none
// (see store.DB.StoreDeliveryBatch).
func (c *committer) commitTx(ctx context.Context, conn *sql.Conn, batch []*pendingDelivery) error {
	ds := make([]store.Delivery, len(batch))
	for i, p := range batch {
		ds[i] = p.d
	}
	fresh, err := c.db.StoreDeliveryBatch(ctx, conn, ds, store.DeliveryJob{
		Kind: deliveryjob.Kind, MaxAttempts: c.queue.cfg.maxAttempts, Args: deliveryJobArgs}, c.enqueueTx)
	if err != nil {
		return err
	}
	for i, p := range batch {
		p.fresh = fresh[i]
	}
	return nil
}

// enqueueTx inserts a job for each of ds in tx, the transaction that
// stores them.
func (c *committer) enqueueTx(ctx context.Context, tx *sql.Tx, ds []store.Delivery) error {
	return c.queue.enqueueManyTx(ctx, tx, deliveryJobs(ds))
}
