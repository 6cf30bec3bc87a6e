package learnjob

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/rivertype"
)

// Timeout bounds one learn job by default: a repository of 5,000 commits
// learns in well under a minute; a first clone of a large repository may
// take minutes.
const Timeout = 30 * time.Minute

// metadataTimeout is the key, in a learn job's River metadata, of the
// timeout its worker records for the attempt it runs. Workers may run
// with different --job-timeout, and River's rescuer, on whichever client
// leads (a bot's, another worker's), asks its own registered worker for a
// job's timeout: the job carries the one that applies.
const metadataTimeout = "learn_timeout"

// attemptTimeout is the timeout of one attempt of a learn job.
type attemptTimeout struct {
	// Attempt is the attempt the timeout bounds: a later one, by another
	// worker, has its own.
	Attempt int `json:"attempt"`
	// Timeout is in nanoseconds (time.Duration).
	Timeout time.Duration `json:"timeout"`
}

// RecordTimeout records in job's metadata, through exec, that its current
// attempt may run for timeout: the worker running it calls it first.
func RecordTimeout(ctx context.Context, exec riverdriver.Executor, job *rivertype.JobRow, timeout time.Duration) error {
	meta, err := json.Marshal(map[string]attemptTimeout{metadataTimeout: {Attempt: job.Attempt, Timeout: timeout}})
	if err != nil {
		return err
	}
	if _, err := exec.JobUpdate(ctx, &riverdriver.JobUpdateParams{ID: job.ID, MetadataDoMerge: true, Metadata: meta}); err != nil {
		return fmt.Errorf("learnjob: record the timeout of job %d: %w", job.ID, err)
	}
	return nil
}

// TimeoutOf is how long job's current attempt may run: what its worker
// recorded (RecordTimeout), else fallback (before the attempt records
// one, as when a worker asks River for the timeout of the attempt it is
// about to run).
func TimeoutOf(job *rivertype.JobRow, fallback time.Duration) time.Duration {
	var meta map[string]json.RawMessage
	var recorded attemptTimeout
	if json.Unmarshal(job.Metadata, &meta) != nil || json.Unmarshal(meta[metadataTimeout], &recorded) != nil ||
		recorded.Attempt != job.Attempt || recorded.Timeout <= 0 {
		return fallback
	}
	return recorded.Timeout
}

// Foreign is the learn job's worker for the River clients that do not
// learn (the bot's). It never runs: only learning workers work Queue. It
// is registered because River's rescuer, on whichever client leads,
// discards a stuck job whose kind its client has no worker for, and asks
// the worker how long a job of its kind may run before it is stuck.
type Foreign struct {
	river.WorkerDefaults[Args]
	// JobTimeout is how long a learn job may run when its worker recorded
	// no timeout (it died before it could).
	JobTimeout time.Duration
}

// Timeout implements river.Worker: the timeout the job's worker recorded.
func (f Foreign) Timeout(job *river.Job[Args]) time.Duration {
	return TimeoutOf(job.JobRow, f.JobTimeout)
}

// Work implements river.Worker; it is never called.
func (Foreign) Work(context.Context, *river.Job[Args]) error {
	return errors.New("learnjob: learn jobs are worked by train worker, not by this process")
}
