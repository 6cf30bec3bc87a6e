package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/riverqueue/river"

	"github.com/commit-labeler/commit-labeler/classify"
	"github.com/commit-labeler/commit-labeler/deliveryjob"
	"github.com/commit-labeler/commit-labeler/ghapp"
	"github.com/commit-labeler/commit-labeler/learnjob"
	"github.com/commit-labeler/commit-labeler/pipeline"
	"github.com/commit-labeler/commit-labeler/store"
)

// workerCommand works the learn jobs the bot enqueues in the database both
// use, until interrupted.
func workerCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, c := newCommonFlagSet("worker", stderr)
	// A long-running process: each job's start and outcome are logged.
	c.logLevel = "info"
	fs.Lookup("log-level").DefValue = c.logLevel
	opts := pipeline.DefaultOptions()
	fs.StringVar(&opts.Workdir, "workdir", "clones", "directory of the bare clones of the repositories learned")
	modelDir := modelFlag(fs)
	timeout := fs.Duration("job-timeout", learnjob.Timeout, "longest a learn job may run, recorded in the job: a job whose worker died is taken over by a live worker within --takeover-every, else retried by River's rescuer once this has passed")
	poll := fs.Duration("poll", time.Second, "how often the queue is polled for new learn jobs")
	heartbeat := fs.Duration("heartbeat", store.WorkerHeartbeat, fmt.Sprintf("how often the worker tells the database it is alive; missing %d heartbeats marks it dead, its learn jobs and runs stranded", store.StaleHeartbeats))
	takeoverEvery := fs.Duration("takeover-every", store.TakeoverEvery, "how often the worker looks for the learn jobs of dead workers to take over")
	appEnv := fs.String("config", "", "the bot's app.env (default ~/.config/commit-labeler/app.env when it exists); the environment wins")
	positional, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(positional) > 0 {
		return usageErrorf("unexpected argument %q", positional[0])
	}
	// The App's key clones installations' repositories: the bot's app.env
	// and environment. Without it only jobs without an installation can
	// run, and the others fail naming it.
	if err := ghapp.ApplyAppEnv(*appEnv); err != nil {
		return err
	}
	if os.Getenv(ghapp.EnvAppID) != "" {
		if opts.App, err = ghapp.ConfigFromEnv(); err != nil {
			return err
		}
	}
	global, err := loadModel(*modelDir)
	if err != nil {
		return err
	}
	defer global.Close()
	env, err := openEnv(ctx, c, opts, stderr)
	if err != nil {
		return err
	}
	defer env.DB.Close()
	// A worker killed mid-clone left its temporary clone, and maybe git
	// helpers still writing into it.
	if err := pipeline.RemoveAbandonedClones(opts.Workdir, env.Log); err != nil {
		return fmt.Errorf("worker: %w", err)
	}

	if err := env.DB.MigrateRiver(ctx, env.Log); err != nil {
		return fmt.Errorf("worker: %w", err)
	}
	if *heartbeat <= 0 {
		return usageErrorf("--heartbeat %v: must be positive", *heartbeat)
	}
	if *takeoverEvery <= 0 {
		return usageErrorf("--takeover-every %v: must be positive", *takeoverEvery)
	}
	host, err := os.Hostname()
	if err != nil {
		host = "unknown-host"
	}
	newID := func() string { return fmt.Sprintf("%s-%d-%d", host, os.Getpid(), time.Now().UnixMilli()) }
	newClient := learnClients(env, global, host, learnClientSettings{timeout: *timeout, poll: *poll, heartbeat: *heartbeat})
	takeover, err := env.DB.NewTakeover(learnjob.Kind)
	if err != nil {
		return fmt.Errorf("worker: %w", err)
	}
	live, err := env.DB.StartLiveRiver(ctx, newID, newClient, env.Log)
	if err != nil {
		return fmt.Errorf("worker: %w", err)
	}
	defer beatHeart(ctx, env, live.ID, *heartbeat)()
	defer takeover.Start(ctx, *takeoverEvery, env.Log)()
	fmt.Fprintf(stdout, "worker %s: learning repositories from the %q queue of %s\n", live.ID(), learnjob.Queue, c.db)
	<-ctx.Done()
	// A job cut short is cancelled and retried; it published nothing.
	stopCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := live.Stop(stopCtx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("worker: stop: %w", err)
	}
	return nil
}

// learnClientSettings are the worker's flags its River clients follow.
type learnClientSettings struct {
	timeout, poll, heartbeat time.Duration
}

// learnClients makes the River client of each id the worker works under
// (a fresh one after its liveness was lost), each a worker of its own in
// the workers table, learning one repository at a time.
func learnClients(env *pipeline.Env, global classify.Model, host string, set learnClientSettings) func(context.Context, string) (*river.Client[*sql.Tx], error) {
	return func(ctx context.Context, id string) (*river.Client[*sql.Tx], error) {
		if err := env.DB.RegisterWorker(ctx, id, host, os.Getpid(), set.heartbeat); err != nil {
			return nil, err
		}
		idEnv := *env
		idEnv.Worker = id
		workers := river.NewWorkers()
		river.AddWorker(workers, pipeline.NewLearnWorker(&idEnv, global, set.timeout))
		deliveryjob.RegisterForeign(workers)
		return river.NewClient(env.DB.RiverDriver(), &river.Config{
			// River records the client that attempts a job: the worker's row
			// says whether it is alive, its liveness whether it may be taken
			// over.
			ID:     id,
			Logger: env.Log,
			// Learning uses every core: one job at a time per worker process.
			Queues:  map[string]river.QueueConfig{learnjob.Queue: {MaxWorkers: 1}},
			Workers: workers,
			// Both kinds name their own timeouts (a learn job the one its
			// worker recorded, the bots' deliveries deliveryjob.Timeout)
			// and River's rescuer, whichever client leads, retries a job of a
			// dead process once its own timeout has passed; the horizon only
			// bounds how early it looks, and River wants it at least JobTimeout.
			JobTimeout:           store.RescueHorizon,
			RescueStuckJobsAfter: store.RescueHorizon,
			FetchPollInterval:    set.poll,
			FetchCooldown:        min(set.poll, 100*time.Millisecond),
		})
	}
}

// beatHeart writes the heartbeat of the worker id() in the store's
// workers table every heartbeat until the returned function records that
// it stopped. The admin page and `train runs` tell a learn job or run
// whose worker died by its heartbeat.
func beatHeart(ctx context.Context, env *pipeline.Env, id func() string, heartbeat time.Duration) (stop func()) {
	beat, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(heartbeat)
		defer tick.Stop()
		for {
			select {
			case <-beat.Done():
				return
			case <-tick.C:
				if err := env.DB.WorkerSeen(beat, id()); err != nil && beat.Err() == nil {
					env.Log.WarnContext(beat, "worker heartbeat", "err", err)
				}
			}
		}
	}()
	return func() {
		cancel()
		<-done
		if err := env.DB.StopWorker(context.WithoutCancel(ctx), id()); err != nil {
			env.Log.Warn("worker stop", "err", err)
		}
	}
}
