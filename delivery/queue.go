package delivery

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/commit-labeler/commit-labeler/deliveryjob"
	"github.com/commit-labeler/commit-labeler/learnjob"
	"github.com/commit-labeler/commit-labeler/store"
)

// deliveryJobArgs are the args of d's job, as River stores them.
func deliveryJobArgs(d *store.Delivery) ([]byte, error) {
	return json.Marshal(deliveryjob.Args{DeliveryID: d.ID, Event: d.Event})
}

// fetchCooldown is the least time between two fetches of jobs. River's
// default (100 ms) caps a busy queue at workers×10 jobs per second, as a
// worker that finishes waits for it to fetch the next job; a fetch is a
// query over river_job (a sixth of the bot's CPU at 2 ms).
const fetchCooldown = 10 * time.Millisecond

// queueConfig is the queue's part of the server options.
type queueConfig struct {
	workers     int
	maxAttempts int
	retryUnit   time.Duration
	jobTimeout  time.Duration
	stopTimeout time.Duration
	pollEvery   time.Duration
}

func defaultQueueConfig() queueConfig {
	return queueConfig{
		workers:     4,
		maxAttempts: 10,
		retryUnit:   time.Second,
		jobTimeout:  deliveryjob.Timeout,
		stopTimeout: 30 * time.Second,
		pollEvery:   time.Second,
	}
}

// queue is the River client working delivery jobs on the store's database.
type queue struct {
	// hold is the process's hold on the queue (see store.QueueHold).
	hold *store.QueueHold
	cfg  queueConfig
	log  *slog.Logger
}

// openQueue takes the process's hold on the store's queue, applies River's
// migrations and makes the client. It starts nothing.
func openQueue(ctx context.Context, db *store.DB, w *deliveryWorker, cfg queueConfig, log *slog.Logger) (*queue, error) {
	workers := river.NewWorkers()
	w.timeout = cfg.jobTimeout
	river.AddWorker(workers, w)
	river.AddWorker(workers, learnjob.Foreign{JobTimeout: learnjob.Timeout})
	newClient := func(_ context.Context, id string) (*river.Client[*sql.Tx], error) {
		return river.NewClient(db.RiverDriver(), &river.Config{
			// River records the client that attempts a job: on PostgreSQL
			// its liveness says whether the job's bot still runs ("" on
			// SQLite: River's default).
			ID:          id,
			Logger:      log,
			Queues:      map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: cfg.workers}},
			Workers:     workers,
			MaxAttempts: cfg.maxAttempts,
			RetryPolicy: backoff{unit: cfg.retryUnit},
			// Each kind names its own timeout (deliveryWorker.Timeout, learn
			// jobs the one their worker recorded: learnjob.Foreign) and
			// River's rescuer retries a job of a dead process once it has
			// passed; the horizon only bounds how early it looks, and River
			// wants it at least JobTimeout.
			JobTimeout:           store.RescueHorizon,
			RescueStuckJobsAfter: store.RescueHorizon,
			SoftStopTimeout:      cfg.stopTimeout,
			FetchPollInterval:    cfg.pollEvery,
			FetchCooldown:        min(cfg.pollEvery, fetchCooldown),
			// Failed deliveries stay visible (metrics, logs, the deliveries
			// table) for the default week.
			DiscardedJobRetentionPeriod: 7 * 24 * time.Hour,
		})
	}
	hold, err := db.HoldQueue(ctx, deliveryjob.Kind, newClient)
	if err != nil {
		return nil, fmt.Errorf("delivery: %w", err)
	}
	q := &queue{hold: hold, cfg: cfg, log: log}
	if err := db.MigrateRiver(ctx, log); err != nil {
		q.release()
		return nil, fmt.Errorf("delivery: %w", err)
	}
	return q, nil
}

// DeliveryRescueAfter is how long a delivery job stays with a process that
// died before River's rescuer, on whichever client leads, retries it, when
// no live bot took it over first: its timeout, which every River client on
// the database knows (deliveryjob.RegisterForeign), and at most a pass of
// the rescuer (every 30 s).
const DeliveryRescueAfter = deliveryjob.Timeout + 30*time.Second

// release lets go of the queue's hold before it starts.
func (q *queue) release() { q.hold.Release() }

// deliveryJobs are the River jobs of stored deliveries ds.
func deliveryJobs(ds []store.Delivery) []river.InsertManyParams {
	jobs := make([]river.InsertManyParams, len(ds))
	for i, d := range ds {
		jobs[i] = river.InsertManyParams{Args: deliveryjob.Args{DeliveryID: d.ID, Event: d.Event}}
	}
	return jobs
}

// enqueueManyTx inserts delivery jobs in tx, the transaction that stores
// their deliveries: both exist or neither.
func (q *queue) enqueueManyTx(ctx context.Context, tx *sql.Tx, jobs []river.InsertManyParams) error {
	if len(jobs) == 0 {
		return nil
	}
	if _, err := q.hold.Inserter().InsertManyFastTx(ctx, tx, jobs); err != nil {
		return fmt.Errorf("delivery: enqueue %d deliveries: %w", len(jobs), err)
	}
	return nil
}

// start requeues the deliveries a killed process left running where no
// other bot may be working them, then works the queue (see
// store.QueueHold.Start); on a shared database it works under this bot's
// liveness, River client id bot-HOST-PID-MILLISECONDS.
func (q *queue) start(ctx context.Context) error {
	host, _ := os.Hostname()
	newID := func() string { return fmt.Sprintf("bot-%s-%d-%d", host, os.Getpid(), time.Now().UnixMilli()) }
	if err := q.hold.Start(ctx, newID, q.log); err != nil {
		return fmt.Errorf("delivery: %w", err)
	}
	return nil
}

// stop lets running jobs finish for the stop timeout, then cancels them
// (River puts them back for a retry), and lets go of the queue's hold.
func (q *queue) stop(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, q.cfg.stopTimeout+5*time.Second)
	defer cancel()
	if err := q.hold.Stop(ctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("delivery: stop queue: %w", err)
	}
	return nil
}

// backoff is River's exponential backoff (errors⁴ units) with a
// configurable unit, so tests can retry in milliseconds.
type backoff struct{ unit time.Duration }

// NextRetry implements river.ClientRetryPolicy.
func (b backoff) NextRetry(job *rivertype.JobRow) time.Time {
	n := float64(len(job.Errors) + 1)
	return time.Now().Add(time.Duration(math.Min(math.Pow(n, 4)*float64(b.unit), float64(24*time.Hour))))
}

// deliveryWorker works delivery jobs: it loads the stored payload and
// dispatches it.
type deliveryWorker struct {
	river.WorkerDefaults[deliveryjob.Args]
	db         *store.DB
	dispatcher *Dispatcher
	metrics    *Metrics
	log        *slog.Logger
	// priority holds a job back while the intake falls behind.
	priority *intakePriority
	// recent has the payloads the intake just stored.
	recent *recentPayloads
	// timeout bounds one attempt.
	timeout time.Duration
}

// Timeout implements river.Worker.
func (w *deliveryWorker) Timeout(*river.Job[deliveryjob.Args]) time.Duration { return w.timeout }

// Work implements river.Worker.
func (w *deliveryWorker) Work(ctx context.Context, job *river.Job[deliveryjob.Args]) error {
	if err := w.priority.wait(ctx); err != nil {
		return err
	}
	id, event := job.Args.DeliveryID, job.Args.Event
	log := w.log.With("delivery", id, "event", event, "attempt", job.Attempt, "job", job.ID)
	d, err := w.delivery(ctx, id, event)
	if errors.Is(err, store.ErrDeliveryNotFound) {
		log.Error("job of an unknown delivery dropped")
		return river.JobCancel(err)
	}
	if err != nil {
		return err
	}
	start := time.Now()
	err = w.dispatcher.Dispatch(WithRun(ctx, Run{ID: d.ID, Attempt: job.Attempt}), d.Event, d.ID, d.Payload)
	took := time.Since(start)
	switch {
	case err == nil:
		w.metrics.observeJob(event, "done", took)
		log.Info("delivery handled", "took", took)
		return w.finish(ctx, id, store.DeliveryDone, nil)
	case IsPermanent(err):
		w.metrics.observeJob(event, "failed", took)
		log.Error("delivery failed permanently", "err", err)
		if ferr := w.finish(ctx, id, store.DeliveryFailed, err); ferr != nil {
			return ferr
		}
		return river.JobCancel(err)
	case job.Attempt >= job.MaxAttempts:
		w.metrics.observeJob(event, "failed", took)
		log.Error("delivery failed after its last attempt", "err", err)
		if ferr := w.finish(ctx, id, store.DeliveryFailed, err); ferr != nil {
			return ferr
		}
		return err
	default:
		w.metrics.observeJob(event, "retry", took)
		log.Warn("delivery failed, will retry", "err", err)
		return err
	}
}

// delivery is the delivery a job handles: its payload as the intake kept
// it, else as stored.
func (w *deliveryWorker) delivery(ctx context.Context, id, event string) (store.Delivery, error) {
	if packed, ok := w.recent.take(id); ok {
		payload, err := store.UnpackPayload(packed)
		return store.Delivery{ID: id, Event: event, Payload: payload}, err
	}
	return w.db.Delivery(ctx, id)
}

// finish records the outcome, even when the job's context ended meanwhile.
func (w *deliveryWorker) finish(ctx context.Context, id string, status store.DeliveryStatus, cause error) error {
	return w.db.FinishDelivery(context.WithoutCancel(ctx), id, status, cause)
}

// EnqueueDeliveries inserts a delivery job for each of ds, stored in db
// without one: what `bot migrate` does for the deliveries a SQLite file
// had queued, since River's tables are not copied between engines.
// River's migrations must have run on db.
func EnqueueDeliveries(ctx context.Context, db *store.DB, ds []store.Delivery) error {
	if len(ds) == 0 {
		return nil
	}
	client, err := river.NewClient(db.RiverDriver(), &river.Config{})
	if err != nil {
		return fmt.Errorf("delivery: river client: %w", err)
	}
	jobs := deliveryJobs(ds)
	err = db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := client.InsertManyFastTx(ctx, tx, jobs)
		return err
	})
	if err != nil {
		return fmt.Errorf("delivery: enqueue %d deliveries: %w", len(ds), err)
	}
	return nil
}
