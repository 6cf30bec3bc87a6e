package store

import (
	"context"
	"database/sql"
	"strconv"
	"time"

	sqlite3 "github.com/mattn/go-sqlite3"
)

// driverBackgroundCheckpoints is the sqlite3 driver for stores opened
// WithBackgroundCheckpoints: its connections leave checkpoints to the
// checkpointer, up to a WAL of safetyCheckpointPages.
const driverBackgroundCheckpoints = "sqlite3-background-checkpoints"

// safetyCheckpointPages is when a connection of such a store checkpoints
// inline after all (40 MB of WAL): only if the checkpointer falls far behind.
const safetyCheckpointPages = 10000

func init() {
	sql.Register(driverBackgroundCheckpoints, &sqlite3.SQLiteDriver{
		ConnectHook: func(c *sqlite3.SQLiteConn) error {
			_, err := c.Exec("PRAGMA wal_autocheckpoint = "+strconv.Itoa(safetyCheckpointPages), nil)
			return err
		},
	})
}

// Option configures Open.
type Option func(*openOptions)

type openOptions struct {
	checkpointEvery time.Duration
}

// WithBackgroundCheckpoints moves WAL checkpoints off the store's
// connections. SQLite otherwise checkpoints in the commit that grows the
// WAL past 1000 pages, copying them into the database file and syncing it
// while every other statement of a one-connection server waits (at 2,000
// webhook deliveries per second, every few hundred milliseconds). A
// connection of the store's own then runs a PASSIVE checkpoint every
// interval, beside the writer, until Close.
func WithBackgroundCheckpoints(every time.Duration) Option {
	return func(o *openOptions) { o.checkpointEvery = every }
}

// checkpointer runs PASSIVE checkpoints on a connection of its own.
type checkpointer struct {
	conn *sql.DB
	stop context.CancelFunc
	done chan struct{}
}

func startCheckpointer(dsn string, every time.Duration) (*checkpointer, error) {
	conn, err := sql.Open("sqlite3", dsn)
	if err != nil {
		return nil, err
	}
	conn.SetMaxOpenConns(1)
	ctx, stop := context.WithCancel(context.Background())
	c := &checkpointer{conn: conn, stop: stop, done: make(chan struct{})}
	go c.run(ctx, every)
	return c, nil
}

func (c *checkpointer) run(ctx context.Context, every time.Duration) {
	defer close(c.done)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			// A failure (a full disk) leaves the WAL to grow until the
			// next checkpoint, or the connections' safety checkpoint, works.
			c.conn.ExecContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)")
		}
	}
}

func (c *checkpointer) close() error {
	c.stop()
	<-c.done
	return c.conn.Close()
}
