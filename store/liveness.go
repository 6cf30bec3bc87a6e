package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// A process that works River jobs (a bot, a learning worker) holds a lock
// on its River client id for as long as it lives, and the system lets go
// of it the moment the process dies: on SQLite a file lock (the kernel
// drops it with the process), on PostgreSQL a session advisory lock on a
// connection of its own (the server drops it with the connection). A job
// running under an id whose lock another process can take has lost its
// process: that is what Takeover looks for, within seconds of a death
// rather than after a job's timeout.

// livenessProbe is how often a holder checks, on PostgreSQL, that the
// connection holding its lock is still there.
const livenessProbe = 2 * time.Second

// Liveness is a process's hold on its id.
type Liveness struct {
	release func()
	lost    chan struct{}
}

// Lost is closed when the hold ends while the process lives (its
// PostgreSQL connection broke): others may take its jobs over, so it must
// stop working them.
func (l *Liveness) Lost() <-chan struct{} { return l.lost }

// Release lets go of the hold: a process stopping cleanly, whose jobs
// River has already put back.
func (l *Liveness) Release() { l.release() }

// HoldLiveness takes the lock of id for this process's life; it fails when
// another process holds it.
func (db *DB) HoldLiveness(ctx context.Context, id string) (*Liveness, error) {
	l := &Liveness{lost: make(chan struct{})}
	if db.dialect.engine == PostgreSQL {
		return l, db.holdAdvisoryLiveness(ctx, id, l)
	}
	f, free, err := db.tryLivenessFile(id)
	if err == nil && !free {
		err = errors.New("another process holds it")
	}
	if err != nil {
		return nil, fmt.Errorf("store: liveness of %s: %w", id, err)
	}
	l.release = func() { f.Close() }
	return l, nil
}

// livenessKey is the advisory lock key of id's liveness.
func livenessKey(id string) int64 { return advisoryKey("liveness/" + id) }

// holdAdvisoryLiveness takes id's advisory lock on a connection kept out
// of the pool, and watches that connection.
func (db *DB) holdAdvisoryLiveness(ctx context.Context, id string, l *Liveness) error {
	conn, err := db.sql.Conn(ctx)
	if err != nil {
		return fmt.Errorf("store: liveness of %s: %w", id, err)
	}
	var held bool
	if err := conn.QueryRowContext(ctx, "SELECT pg_try_advisory_lock(?)", livenessKey(id)).Scan(&held); err != nil || !held {
		conn.Close()
		return fmt.Errorf("store: liveness of %s: held %v: %w", id, held, err)
	}
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		tick := time.NewTicker(livenessProbe)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
			}
			probe, cancel := context.WithTimeout(context.Background(), livenessProbe)
			err := conn.PingContext(probe)
			cancel()
			if err != nil {
				close(l.lost)
				return
			}
		}
	}()
	l.release = func() {
		close(done)
		<-stopped
		// Closing the connection ends the session and its lock.
		conn.Close()
	}
	return nil
}

// livenessDir is the directory beside a SQLite database of its processes'
// liveness files.
func (db *DB) livenessDir() string { return db.path + ".live" }

// tryLivenessFile opens id's liveness file and tries its lock: free tells
// whether it was taken (the caller then holds it until it closes f).
func (db *DB) tryLivenessFile(id string) (f *os.File, free bool, err error) {
	if err := os.MkdirAll(db.livenessDir(), 0o700); err != nil {
		return nil, false, err
	}
	f, err = os.OpenFile(filepath.Join(db.livenessDir(), url.PathEscape(id)), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, false, err
	}
	err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		f.Close()
		return nil, false, nil
	}
	if err != nil {
		f.Close()
		return nil, false, err
	}
	return f, true, nil
}

// withDeadOwner runs fn in a transaction when the process id is dead (its
// liveness lock is free), holding that lock until the transaction ends so
// that nobody else acts on the same death meanwhile; dead tells whether fn
// ran.
func (db *DB) withDeadOwner(ctx context.Context, id string, fn func(*sql.Tx) error) (dead bool, err error) {
	if db.dialect.engine == PostgreSQL {
		err = db.Tx(ctx, func(tx *sql.Tx) error {
			if err := tx.QueryRowContext(ctx, "SELECT pg_try_advisory_xact_lock(?)", livenessKey(id)).Scan(&dead); err != nil || !dead {
				return err
			}
			return fn(tx)
		})
		return dead, err
	}
	f, dead, err := db.tryLivenessFile(id)
	if err != nil || !dead {
		return false, err
	}
	defer f.Close()
	if err := db.Tx(ctx, fn); err != nil {
		return true, err
	}
	// Nobody lives under id any more: its file goes (under the lock, which
	// a process holding a file no longer linked would not count).
	os.Remove(f.Name())
	return true, nil
}
