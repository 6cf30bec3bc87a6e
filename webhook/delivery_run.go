package webhook

import "context"

// deliveryRun is the job run handling a delivery. Check runs carry the
// delivery id as their external_id, so that a job rerun after a crash can
// tell the check runs its earlier attempt already created.
type deliveryRun struct {
	id      string
	attempt int
	// reportOnly runs write nothing to GitHub and give OnCheckRun the check
	// runs a writing run would create (Events.ReportAction).
	reportOnly bool
}

type deliveryRunKey struct{}

// withDeliveryRun returns ctx carrying run.
func withDeliveryRun(ctx context.Context, run deliveryRun) context.Context {
	return context.WithValue(ctx, deliveryRunKey{}, run)
}

// deliveryRunFrom returns the run ctx carries (zero outside a job).
func deliveryRunFrom(ctx context.Context) deliveryRun {
	run, _ := ctx.Value(deliveryRunKey{}).(deliveryRun)
	return run
}
