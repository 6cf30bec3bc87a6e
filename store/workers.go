package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// A learning worker's liveness is its heartbeat in the workers table: River
// records which client attempted a job (its id, which a worker sets to its
// row's) but not whether that client still runs, and the bots' clients
// lead River's maintenance as often as workers do.
const (
	// WorkerHeartbeat is how often a running worker writes seen_at by
	// default (train worker --heartbeat).
	WorkerHeartbeat = 15 * time.Second
	// StaleHeartbeats is how many of its heartbeats a worker misses before
	// it is taken for dead: room for a store busy a while.
	StaleHeartbeats = 4
)

// Worker is a learning worker process (train worker) as the store knows it.
type Worker struct {
	ID        string
	Host      string
	PID       int
	StartedAt time.Time
	// Heartbeat is how often it writes SeenAt.
	Heartbeat time.Duration
	SeenAt    time.Time
	// StoppedAt is when it stopped cleanly (zero while it runs or when it
	// died).
	StoppedAt time.Time
}

// Alive reports whether w ran at now: not stopped and heard from within
// StaleHeartbeats of its heartbeats.
func (w Worker) Alive(now time.Time) bool {
	return w.StoppedAt.IsZero() && now.Sub(w.SeenAt) < StaleHeartbeats*w.Heartbeat
}

// RegisterWorker records a starting worker, which writes its heartbeat
// every heartbeat.
func (db *DB) RegisterWorker(ctx context.Context, id, host string, pid int, heartbeat time.Duration) error {
	at := now()
	_, err := db.exec(ctx, `INSERT INTO workers (id, host, pid, started_at, heartbeat_ms, seen_at) VALUES (?, ?, ?, ?, ?, ?)`,
		id, host, pid, at, heartbeat.Milliseconds(), at)
	if err != nil {
		return fmt.Errorf("store: register worker %s: %w", id, err)
	}
	return nil
}

// WorkerSeen is a running worker's heartbeat.
func (db *DB) WorkerSeen(ctx context.Context, id string) error {
	if _, err := db.exec(ctx, `UPDATE workers SET seen_at = ? WHERE id = ?`, now(), id); err != nil {
		return fmt.Errorf("store: heartbeat of worker %s: %w", id, err)
	}
	return nil
}

// StopWorker records that a worker stopped cleanly.
func (db *DB) StopWorker(ctx context.Context, id string) error {
	at := now()
	if _, err := db.exec(ctx, `UPDATE workers SET seen_at = ?, stopped_at = ? WHERE id = ?`, at, at, id); err != nil {
		return fmt.Errorf("store: stop worker %s: %w", id, err)
	}
	return nil
}

// Workers lists the workers that ran since since, the last seen first.
func (db *DB) Workers(ctx context.Context, since time.Time) ([]Worker, error) {
	rows, err := db.reads.QueryContext(ctx, `
		SELECT id, host, pid, started_at, heartbeat_ms, seen_at, COALESCE(stopped_at, '') FROM workers
		WHERE seen_at >= ? ORDER BY seen_at DESC, id`, since.UTC().Format(time.RFC3339))
	if err != nil {
		return nil, fmt.Errorf("store: workers: %w", err)
	}
	defer rows.Close()
	var out []Worker
	for rows.Next() {
		w, err := scanWorker(rows)
		if err != nil {
			return nil, fmt.Errorf("store: workers: %w", err)
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

// scanWorker scans id, host, pid, started_at, heartbeat_ms, seen_at and
// stopped_at (” when not stopped).
func scanWorker(rows *sql.Rows) (Worker, error) {
	var w Worker
	var started, seen, stopped string
	var heartbeatMS int64
	if err := rows.Scan(&w.ID, &w.Host, &w.PID, &started, &heartbeatMS, &seen, &stopped); err != nil {
		return w, err
	}
	w.Heartbeat = time.Duration(heartbeatMS) * time.Millisecond
	var err error
	if w.StartedAt, err = time.Parse(time.RFC3339Nano, started); err != nil {
		return w, fmt.Errorf("worker %s: started_at %q: %w", w.ID, started, err)
	}
	if w.SeenAt, err = time.Parse(time.RFC3339Nano, seen); err != nil {
		return w, fmt.Errorf("worker %s: seen_at %q: %w", w.ID, seen, err)
	}
	if stopped != "" {
		if w.StoppedAt, err = time.Parse(time.RFC3339Nano, stopped); err != nil {
			return w, fmt.Errorf("worker %s: stopped_at %q: %w", w.ID, stopped, err)
		}
	}
	return w, nil
}
