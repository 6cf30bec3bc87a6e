// Package pipeline runs the seven phases of retraining: clone, extract,
// stride, enrich, label, train and summary.
package pipeline

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/commit-labeler/commit-labeler/classify"
	"github.com/commit-labeler/commit-labeler/store"
)

// Phase names, in the order Run executes them.
const (
	PhaseClone   = "clone"
	PhaseExtract = "extract"
	PhaseStride  = "stride"
	PhaseEnrich  = "enrich"
	PhaseLabel   = "label"
	PhaseTrain   = "train"
	PhaseSummary = "summary"
)

// Counts are a phase's named result counters (commits added, skipped, ...).
type Counts map[string]int64

// Env is what every phase gets: the store, the options and where to report.
type Env struct {
	DB       *store.DB
	Options  Options
	Log      *slog.Logger
	Progress ProgressFactory
	// Global is the global model the learn phase learns repositories from.
	Global classify.Model
	// Worker is the learning worker running the phases (store.Worker.ID),
	// "" for a command line: a run whose worker died shows as such.
	Worker string
}

// PhaseFunc runs one phase and returns its counts.
type PhaseFunc func(ctx context.Context, env *Env) (Counts, error)

// Result is the outcome of one recorded phase run.
type Result struct {
	Phase    string        `json:"phase"`
	RunID    int64         `json:"run_id"`
	Status   string        `json:"status"`
	Counts   Counts        `json:"counts"`
	Duration time.Duration `json:"duration_ns"`
	Error    string        `json:"error,omitempty"`
}

// RunPhase runs fn as the named phase, recording it in the runs table with
// its parameters, counts, duration, status and error.
func RunPhase(ctx context.Context, env *Env, name string, fn PhaseFunc) (Result, error) {
	id, err := env.DB.StartWorkerRun(ctx, env.Worker, name, env.Options.Params())
	if err != nil {
		return Result{Phase: name}, err
	}
	start := time.Now()
	env.Log.Info("phase started", "phase", name, "run", id)
	counts, runErr := fn(ctx, env)
	if counts == nil {
		counts = Counts{}
	}
	if ferr := env.DB.FinishRun(id, counts, runErr); ferr != nil && runErr == nil {
		runErr = ferr
	}
	res := Result{Phase: name, RunID: id, Status: store.RunOK, Counts: counts, Duration: time.Since(start)}
	if runErr != nil {
		res.Status = store.RunFailed
		if ctx.Err() != nil {
			res.Status = store.RunCancelled
		}
		res.Error = runErr.Error()
		env.Log.Info("phase failed", "phase", name, "run", id, "err", runErr)
		return res, fmt.Errorf("%s: %w", name, runErr)
	}
	env.Log.Info("phase finished", "phase", name, "run", id, "duration", res.Duration.Round(time.Millisecond), "counts", map[string]int64(counts))
	return res, nil
}
