package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Run statuses.
const (
	RunRunning   = "running"
	RunOK        = "ok"
	RunFailed    = "failed"
	RunCancelled = "cancelled"
	// RunDied is how Runs shows a run still recorded as running whose
	// worker died (Worker.Alive): it will never finish.
	RunDied = "died"
)

// Run is one recorded phase run.
type Run struct {
	ID         int64            `json:"id"`
	Phase      string           `json:"phase"`
	Params     map[string]any   `json:"params"`
	StartedAt  time.Time        `json:"started_at"`
	FinishedAt time.Time        `json:"finished_at,omitzero"`
	Duration   time.Duration    `json:"duration_ns"`
	Status     string           `json:"status"`
	Counts     map[string]int64 `json:"counts"`
	Error      string           `json:"error,omitempty"`
	// Worker is the learning worker whose phase it is (Worker.ID), ""
	// for a command line's run.
	Worker string `json:"worker,omitempty"`
}

// StartRun records the start of a phase run and returns its id.
func (db *DB) StartRun(ctx context.Context, phase string, params any) (int64, error) {
	return db.StartWorkerRun(ctx, "", phase, params)
}

// StartWorkerRun records the start of a phase run of worker (a
// Worker.ID; "" for a command line) and returns its id.
func (db *DB) StartWorkerRun(ctx context.Context, worker, phase string, params any) (int64, error) {
	p, err := json.Marshal(params)
	if err != nil {
		return 0, fmt.Errorf("store: run params: %w", err)
	}
	// In a transaction: on PostgreSQL the id is read back on the
	// insert's connection (see pgResult).
	var id int64
	err = db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx,
			`INSERT INTO runs (phase, params, started_at, status, worker) VALUES (?, ?, ?, ?, ?)`,
			phase, string(p), now(), RunRunning, worker)
		if err == nil {
			id, err = res.LastInsertId()
		}
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: start run %s: %w", phase, err)
	}
	return id, nil
}

// FinishRun records the end of a run. The context may already be cancelled
// (that is why the run ended), so the write uses a fresh one.
func (db *DB) FinishRun(id int64, counts map[string]int64, runErr error) error {
	status, msg := RunOK, ""
	switch {
	case errors.Is(runErr, context.Canceled), errors.Is(runErr, context.DeadlineExceeded):
		status, msg = RunCancelled, runErr.Error()
	case runErr != nil:
		status, msg = RunFailed, runErr.Error()
	}
	c, err := json.Marshal(counts)
	if err != nil {
		return fmt.Errorf("store: run counts: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var started string
	if err := db.sql.QueryRowContext(ctx, `SELECT started_at FROM runs WHERE id = ?`, id).Scan(&started); err != nil {
		return fmt.Errorf("store: finish run %d: %w", id, err)
	}
	end := time.Now().UTC()
	begin, _ := time.Parse(time.RFC3339Nano, started)
	_, err = db.exec(ctx,
		`UPDATE runs SET finished_at = ?, duration_ms = ?, status = ?, counts = ?, error = ? WHERE id = ?`,
		end.Format(time.RFC3339Nano), end.Sub(begin).Milliseconds(), status, string(c), msg, id)
	if err != nil {
		return fmt.Errorf("store: finish run %d: %w", id, err)
	}
	return nil
}

// Runs returns the most recent runs, newest first. A run recorded as
// running whose worker died has Status RunDied.
func (db *DB) Runs(ctx context.Context, limit int) ([]Run, error) {
	rows, err := db.sql.QueryContext(ctx,
		`SELECT w.id IS NOT NULL, COALESCE(w.heartbeat_ms, 0), COALESCE(w.seen_at, ''), COALESCE(w.stopped_at, ''),
			r.id, r.phase, r.params, r.started_at, COALESCE(r.finished_at, ''), COALESCE(r.duration_ms, 0), r.status, r.counts, r.error, r.worker
		 FROM runs r LEFT JOIN workers w ON w.id = r.worker ORDER BY r.id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("store: runs: %w", err)
	}
	defer rows.Close()
	var out []Run
	at := time.Now()
	for rows.Next() {
		var known bool
		var heartbeatMS int64
		var seen, stopped string
		r, err := scanRun(rows, &known, &heartbeatMS, &seen, &stopped)
		if err != nil {
			return nil, fmt.Errorf("store: runs: %w", err)
		}
		if r.Status == RunRunning && r.Worker != "" && !runningWorker(known, heartbeatMS, seen, stopped, at) {
			r.Status = RunDied
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// runningWorker reports whether a run's worker, of the heartbeat_ms,
// seen_at and stopped_at read, still ran at now.
func runningWorker(known bool, heartbeatMS int64, seen, stopped string, now time.Time) bool {
	seenAt, err := time.Parse(time.RFC3339Nano, seen)
	w := Worker{Heartbeat: time.Duration(heartbeatMS) * time.Millisecond, SeenAt: seenAt}
	return known && err == nil && stopped == "" && w.Alive(now)
}

// scanRun scans the columns id, phase, params, started_at, finished_at (empty
// when running), duration_ms, status, counts, error and worker of a runs
// row, after the leading destinations.
func scanRun(rows *sql.Rows, leading ...any) (Run, error) {
	var r Run
	var params, counts, started, finished string
	var ms int64
	dest := append(leading, &r.ID, &r.Phase, &params, &started, &finished, &ms, &r.Status, &counts, &r.Error, &r.Worker)
	if err := rows.Scan(dest...); err != nil {
		return r, err
	}
	_ = json.Unmarshal([]byte(params), &r.Params)
	_ = json.Unmarshal([]byte(counts), &r.Counts)
	r.StartedAt, _ = time.Parse(time.RFC3339Nano, started)
	r.FinishedAt, _ = time.Parse(time.RFC3339Nano, finished)
	r.Duration = time.Duration(ms) * time.Millisecond
	return r, nil
}
