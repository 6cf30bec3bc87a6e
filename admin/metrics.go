package admin

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Names of the bot's metrics the page shows (delivery/metrics.go): the
// names are the bot's public monitoring contract, which dashboards rely on
// too, so the page reads them as a dashboard would.
const (
	// metricQueueJobs is a gauge of delivery jobs by River state.
	metricQueueJobs = "commit_labeler_webhook_queue_jobs"
	// metricIntake counts webhook requests by event and outcome.
	metricIntake = "commit_labeler_webhook_deliveries_total"
	// metricJobs counts delivery job attempts by event and outcome.
	metricJobs = "commit_labeler_webhook_jobs_total"
)

// metricCounts are the metrics the page shows, each summed over the
// labels other than the one it is keyed by.
type metricCounts struct {
	// queue counts delivery jobs by River state.
	queue map[string]float64
	// intake counts webhook requests since the process started by outcome
	// (queued, duplicate, ignored, bad_signature...).
	intake map[string]float64
	// jobs counts job attempts since the process started by outcome
	// (done, retry, failed).
	jobs map[string]float64
}

// gatherCounts reads the metrics the page shows from g. Like Gather, it
// returns what it could read along with an error.
func gatherCounts(g prometheus.Gatherer) (metricCounts, error) {
	counts := metricCounts{queue: map[string]float64{}, intake: map[string]float64{}, jobs: map[string]float64{}}
	families, err := g.Gather()
	for _, f := range families {
		var into map[string]float64
		var key string
		switch f.GetName() {
		case metricQueueJobs:
			into, key = counts.queue, "state"
		case metricIntake:
			into, key = counts.intake, "outcome"
		case metricJobs:
			into, key = counts.jobs, "outcome"
		default:
			continue
		}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == key {
					into[l.GetValue()] += m.GetCounter().GetValue() + m.GetGauge().GetValue()
				}
			}
		}
	}
	return counts, err
}
