package store

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"os"
	"sync/atomic"
	"syscall"

	"github.com/riverqueue/river"
)

// QueueHold is a process's hold on the River queue of one job kind: on a
// SQLite file the file's lock, which one process holds at a time, so that
// start-up may requeue the jobs a killed process left running; on
// PostgreSQL, where any number of processes share the queue, a client
// working under the process's liveness (LiveRiver) and the takeover of the
// running jobs of processes that died.
type QueueHold struct {
	db        *DB
	kind      string
	newClient func(ctx context.Context, id string) (*river.Client[*sql.Tx], error)
	// client works the queue on SQLite; on PostgreSQL it only inserts
	// until Start, and live's client works it.
	client *river.Client[*sql.Tx]
	// lock is a SQLite file's lock; nil on PostgreSQL.
	lock *os.File
	// live is, on PostgreSQL once started, the client working under the
	// process's liveness, which takeover checks before putting back the
	// running jobs of processes that died.
	live     atomic.Pointer[LiveRiver]
	takeover *Takeover
	// stopTakeover ends takeover's loop and waits for it.
	stopTakeover func()
}

// HoldQueue takes the process's hold on the queue of kind, whose clients
// newClient makes under a River client id. It starts nothing; Release
// lets go of a hold that is not started.
func (db *DB) HoldQueue(ctx context.Context, kind string,
	newClient func(ctx context.Context, id string) (*river.Client[*sql.Tx], error)) (*QueueHold, error) {
	h := &QueueHold{db: db, kind: kind, newClient: newClient, stopTakeover: func() {}}
	var err error
	if db.dialect.engine == SQLite {
		if h.lock, err = lockQueue(db.path); err != nil {
			return nil, err
		}
		// River's default id ("") on the one process working the file.
		h.client, err = newClient(ctx, "")
	} else {
		if h.takeover, err = db.NewTakeover(kind); err != nil {
			return nil, err
		}
		h.client, err = river.NewClient(db.RiverDriver(), &river.Config{})
	}
	if err != nil {
		h.Release()
		return nil, fmt.Errorf("store: river client: %w", err)
	}
	return h, nil
}

// lockQueue takes an exclusive lock on path+".lock" so that one process
// works a file's queue: Start relies on it to requeue the jobs a killed
// process left running.
func lockQueue(path string) (*os.File, error) {
	f, err := os.OpenFile(path+".lock", os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("store: lock %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("store: %s is in use by another bot process: %w", path, err)
	}
	return f, nil
}

// Inserter is the client to insert jobs with: the working one once there
// is one, which fetches them at once.
func (h *QueueHold) Inserter() *river.Client[*sql.Tx] {
	if live := h.live.Load(); live != nil {
		return live.Client()
	}
	return h.client
}

// Start works the queue. On SQLite it first requeues the jobs a killed
// process left running, which the file's lock says no other process
// works (River's rescuer would retry them only after
// RescueHorizon). On PostgreSQL other processes may be working them: it
// works under newID()'s liveness and puts back the running jobs of dead
// processes every TakeoverEvery (River's rescuer is the backstop).
func (h *QueueHold) Start(ctx context.Context, newID func() string, log *slog.Logger) error {
	if h.lock == nil {
		live, err := h.db.StartLiveRiver(ctx, newID, h.newClient, log)
		if err != nil {
			return fmt.Errorf("store: start queue: %w", err)
		}
		h.live.Store(live)
		h.stopTakeover = h.takeover.Start(context.WithoutCancel(ctx), TakeoverEvery, log)
		return nil
	}
	if _, err := h.db.sql.ExecContext(ctx,
		`UPDATE river_job SET state = 'available' WHERE state = 'running' AND kind = ?`, h.kind); err != nil {
		return fmt.Errorf("store: requeue interrupted jobs in %s: %w", h.db.path, err)
	}
	if err := h.client.Start(ctx); err != nil {
		return fmt.Errorf("store: start queue: %w", err)
	}
	return nil
}

// Stop stops the working client, letting its running jobs finish until
// ctx ends, stops the takeover and lets go of the hold.
func (h *QueueHold) Stop(ctx context.Context) error {
	defer h.Release()
	defer h.stopTakeover()
	if live := h.live.Load(); live != nil {
		return live.Stop(ctx)
	}
	return h.client.Stop(ctx)
}

// Release lets go of a SQLite file's lock.
func (h *QueueHold) Release() {
	if h.lock != nil {
		h.lock.Close()
	}
}
