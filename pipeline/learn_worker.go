package pipeline

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"github.com/commit-labeler/commit-labeler/classify"
	"github.com/commit-labeler/commit-labeler/learnjob"
)

// LearnWorker works learn jobs (learnjob.Args) with LearnAndPublish: the
// River worker of `train worker`.
type LearnWorker struct {
	river.WorkerDefaults[learnjob.Args]
	env     *Env
	global  classify.Model
	timeout time.Duration
}

// NewLearnWorker learns repositories into env's store from the global
// model, each job bounded by timeout (learnjob.Timeout when 0).
func NewLearnWorker(env *Env, global classify.Model, timeout time.Duration) *LearnWorker {
	if timeout <= 0 {
		timeout = learnjob.Timeout
	}
	return &LearnWorker{env: env, global: global, timeout: timeout}
}

// Timeout implements river.Worker: this worker's timeout for an attempt
// it is about to run, and, when River's rescuer on this worker's client
// asks about another worker's attempt, the timeout that worker recorded.
func (w *LearnWorker) Timeout(job *river.Job[learnjob.Args]) time.Duration {
	return learnjob.TimeoutOf(job.JobRow, w.timeout)
}

// Work implements river.Worker: an error retries the job (River's
// backoff), up to learnjob.MaxAttempts.
func (w *LearnWorker) Work(ctx context.Context, job *river.Job[learnjob.Args]) error {
	a := job.Args
	// "reason" is the model's verdict below: the job's is "requested_for".
	log := w.env.Log.With("repo", a.Repo, "requested_for", a.Reason, "job", job.ID, "attempt", job.Attempt, "max_attempts", job.MaxAttempts)
	if err := learnjob.RecordTimeout(ctx, w.env.DB.RiverDriver().GetExecutor(), job.JobRow, w.timeout); err != nil {
		return err
	}
	log.InfoContext(ctx, "learning the repository", "timeout", w.timeout)
	start := time.Now()
	out, err := LearnAndPublish(ctx, w.env, w.global, Target{Repo: a.Repo, CloneURL: a.CloneURL, InstallationID: a.InstallationID})
	if err != nil {
		log.ErrorContext(ctx, "learning failed", "err", err)
		return err
	}
	l := out.Learned
	log.InfoContext(ctx, "repository learned", "version", out.Version, "unchanged", out.Unchanged, "accepted", l.Accepted,
		"reason", learnjob.Figures(l), "commits", l.Commits, "duration", time.Since(start).Round(time.Millisecond))
	return nil
}
