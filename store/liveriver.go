package store

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/riverqueue/river"
)

// LiveRiver is a process's River client working jobs under the liveness
// of its id (HoldLiveness), for the process's whole life. When the hold
// is lost while the process lives (its PostgreSQL connection broke: the
// server restarted, the network failed), other processes may take the
// client's jobs over, so the client stops and cancels them; once the
// database answers again, the process holds a fresh id and works under a
// fresh client. The id is fresh because the jobs the old client left
// running belong to a process that is, for the others, dead: any live
// process (this one too) takes them over.
type LiveRiver struct {
	db        *DB
	log       *slog.Logger
	newID     func() string
	newClient func(ctx context.Context, id string) (*river.Client[*sql.Tx], error)

	// run is the context the clients' jobs run under.
	run context.Context

	mu sync.Mutex
	id string
	// live is nil while the process waits to hold a fresh one; client is
	// then the one stopped, which still inserts jobs.
	live   *Liveness
	client *river.Client[*sql.Tx]

	// cancel ends watch, which closes done.
	cancel context.CancelFunc
	done   chan struct{}
}

// regainEvery is how often a process whose liveness was lost tries to
// hold a fresh one and work again: it works again within about this much
// of the database being back.
const regainEvery = time.Second

// cancelWait bounds how long a client that lost its liveness is waited
// for to stop: its jobs' contexts end at once, but recording their
// outcomes needs the database, which may be down.
const cancelWait = 5 * time.Second

// StartLiveRiver holds the liveness of newID() and starts newClient's
// client under that id, jobs running under ctx; it fails when the first
// hold or start does.
func (db *DB) StartLiveRiver(ctx context.Context, newID func() string,
	newClient func(ctx context.Context, id string) (*river.Client[*sql.Tx], error), log *slog.Logger) (*LiveRiver, error) {
	r := &LiveRiver{db: db, log: log, newID: newID, newClient: newClient, run: ctx, done: make(chan struct{})}
	if err := r.begin(ctx); err != nil {
		return nil, err
	}
	var watchCtx context.Context
	watchCtx, r.cancel = context.WithCancel(ctx)
	go r.watch(watchCtx)
	return r, nil
}

// begin holds a fresh id's liveness and starts a client under it; ctx
// bounds the start, the client's jobs run under r.run.
func (r *LiveRiver) begin(ctx context.Context) error {
	id := r.newID()
	live, err := r.db.HoldLiveness(ctx, id)
	if err != nil {
		return err
	}
	client, err := r.newClient(ctx, id)
	if err == nil {
		err = client.Start(r.run)
	}
	if err != nil {
		live.Release()
		return fmt.Errorf("store: river client %s: %w", id, err)
	}
	r.mu.Lock()
	r.id, r.live, r.client = id, live, client
	r.mu.Unlock()
	return nil
}

// watch stops the client whose liveness is lost and begins again, until
// ctx ends.
func (r *LiveRiver) watch(ctx context.Context) {
	defer close(r.done)
	for {
		r.mu.Lock()
		id, live, client := r.id, r.live, r.client
		r.mu.Unlock()
		select {
		case <-ctx.Done():
			return
		case <-live.Lost():
		}
		r.log.Error("store: the database no longer holds this process's liveness; its River client stops, as others may take its jobs over", "id", id)
		stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cancelWait)
		client.StopAndCancel(stopCtx)
		cancel()
		live.Release()
		r.mu.Lock()
		r.live = nil
		r.mu.Unlock()
		for {
			select {
			case <-ctx.Done():
				return
			case <-time.After(regainEvery):
			}
			err := r.begin(ctx)
			if err == nil {
				break
			}
			r.log.Warn("store: waiting for the database to work again", "err", err)
		}
		r.log.Info("store: working again under a fresh id", "id", r.ID(), "lost", id)
	}
}

// ID is the id the process works under now.
func (r *LiveRiver) ID() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.id
}

// Client is the River client working now; one that stopped still
// inserts jobs.
func (r *LiveRiver) Client() *river.Client[*sql.Tx] {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.client
}

// Stop stops the client (if one works), letting its running jobs finish until ctx ends
// (River then cancels them and puts them back), and lets go of the
// liveness.
func (r *LiveRiver) Stop(ctx context.Context) error {
	r.cancel()
	<-r.done
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.live == nil {
		return nil
	}
	defer r.live.Release()
	if err := r.client.Stop(ctx); err != nil {
		return fmt.Errorf("store: stop river client %s: %w", r.id, err)
	}
	return nil
}
