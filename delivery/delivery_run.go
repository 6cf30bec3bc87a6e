package delivery

import "context"

// Run is the job run handling a delivery. Check runs carry the delivery id
// as their external_id, so that a job rerun after a crash can tell the
// check runs its earlier attempt already created.
type Run struct {
	ID      string
	Attempt int
	// ReportOnly runs write nothing to GitHub and hand the caller the check
	// runs a writing run would create (the Action's dry run).
	ReportOnly bool
}

type runKey struct{}

// WithRun returns ctx carrying run.
func WithRun(ctx context.Context, run Run) context.Context {
	return context.WithValue(ctx, runKey{}, run)
}

// RunFrom returns the run ctx carries (zero outside a job).
func RunFrom(ctx context.Context) Run {
	run, _ := ctx.Value(runKey{}).(Run)
	return run
}
