package delivery

import (
	"context"
	"database/sql"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metricsNamespace prefixes every metric of the bot.
const metricsNamespace = "commit_labeler"

// Delivery outcomes, the "outcome" label of the deliveries counter.
const (
	outcomeQueued         = "queued"
	outcomeDuplicate      = "duplicate"
	outcomeIgnored        = "ignored"
	outcomeBadSignature   = "bad_signature"
	outcomeTooLarge       = "too_large"
	outcomeBadContentType = "bad_content_type"
	outcomeBadRequest     = "bad_request"
	// outcomeMalformedPayload: signed, but not an event's JSON payload.
	outcomeMalformedPayload = "malformed_payload"
	outcomeError            = "error"
)

// eventUnverified is the "event" label of requests refused before their
// signature was checked: an unsigned header must not mint label values.
const eventUnverified = "unverified"

// Metrics are the bot's Prometheus metrics, in a registry of their own.
type Metrics struct {
	registry *prometheus.Registry

	deliveries *prometheus.CounterVec
	jobs       *prometheus.CounterVec
	jobSeconds *prometheus.HistogramVec
	redelivery prometheus.Counter
	apiCalls   *prometheus.CounterVec
	rateLimit  *prometheus.GaugeVec

	// Classifications counts the labels the bot predicted, by label; the
	// event handlers increment it through CountClassification.
	Classifications *prometheus.CounterVec
}

// NewMetrics makes the metrics and registers them, with Go's runtime and
// process collectors.
func NewMetrics() *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: metricsNamespace, Name: "webhook_deliveries_total",
			Help: "Webhook requests by event type and outcome (queued, duplicate, ignored, or why they were refused).",
		}, []string{"event", "outcome"}),
		jobs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: metricsNamespace, Name: "webhook_jobs_total",
			Help: "Delivery job attempts by event type and outcome (done, retry, failed: out of attempts or permanent).",
		}, []string{"event", "outcome"}),
		jobSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: metricsNamespace, Name: "webhook_job_duration_seconds",
			Help:    "Time the handlers of one delivery job attempt took, by event type.",
			Buckets: prometheus.ExponentialBuckets(0.005, 2.5, 12),
		}, []string{"event"}),
		redelivery: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: metricsNamespace, Name: "webhook_redeliveries_requested_total",
			Help: "Failed deliveries never received whose redelivery the bot asked GitHub for.",
		}),
		apiCalls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: metricsNamespace, Name: "github_api_requests_total",
			Help: "GitHub API requests by HTTP status (\"error\" when no response came).",
		}, []string{"status"}),
		rateLimit: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: metricsNamespace, Name: "github_rate_limit_remaining",
			Help: "The last x-ratelimit-remaining GitHub sent, by x-ratelimit-resource.",
		}, []string{"resource"}),
		Classifications: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: metricsNamespace, Name: "classifications_total",
			Help: "Labels the bot applied, by label.",
		}, []string{"label"}),
	}
	m.registry.MustRegister(m.deliveries, m.jobs, m.jobSeconds, m.redelivery, m.apiCalls, m.rateLimit, m.Classifications,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the metrics in Prometheus' text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{Registry: m.registry})
}

// Gatherer gives the metrics' current values to code that shows some of
// them elsewhere than /metrics: the admin page's queue depth and intake
// outcomes.
func (m *Metrics) Gatherer() prometheus.Gatherer { return m.registry }

// Register adds collectors of other code to the registry /metrics serves.
func (m *Metrics) Register(cs ...prometheus.Collector) error {
	for _, c := range cs {
		if err := m.registry.Register(c); err != nil {
			return err
		}
	}
	return nil
}

// Transport wraps next (http.DefaultTransport when nil) so that every GitHub
// API call is counted by status and the rate limit GitHub reports recorded.
func (m *Metrics) Transport(next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	return roundTripperFunc(func(r *http.Request) (*http.Response, error) {
		resp, err := next.RoundTrip(r)
		if err != nil {
			m.apiCalls.WithLabelValues("error").Inc()
			return resp, err
		}
		m.apiCalls.WithLabelValues(strconv.Itoa(resp.StatusCode)).Inc()
		if remaining, err := strconv.Atoi(resp.Header.Get("X-Ratelimit-Remaining")); err == nil {
			resource := resp.Header.Get("X-Ratelimit-Resource")
			if resource == "" {
				resource = "core"
			}
			m.rateLimit.WithLabelValues(resource).Set(float64(remaining))
		}
		return resp, nil
	})
}

type roundTripperFunc func(*http.Request) (*http.Response, error)

func (f roundTripperFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// CountClassification counts one label the bot predicted.
func (m *Metrics) CountClassification(label string) {
	m.Classifications.WithLabelValues(label).Inc()
}

// observeJob records one job attempt.
func (m *Metrics) observeJob(event, outcome string, took time.Duration) {
	m.jobs.WithLabelValues(event, outcome).Inc()
	m.jobSeconds.WithLabelValues(event).Observe(took.Seconds())
}

// queueDepth reports River's jobs of one kind by state at scrape time,
// so that discarded (failed) jobs stay visible.
type queueDepth struct {
	db   *sql.DB
	log  *slog.Logger
	kind string
	desc *prometheus.Desc
}

// newQueueDepth reports jobs of kind as the gauge subsystem_name.
func newQueueDepth(db *sql.DB, log *slog.Logger, kind, subsystem, name, help string) *queueDepth {
	return &queueDepth{db: db, log: log, kind: kind, desc: prometheus.NewDesc(
		prometheus.BuildFQName(metricsNamespace, subsystem, name), help, []string{"state"}, nil)}
}

func (q *queueDepth) Describe(ch chan<- *prometheus.Desc) { ch <- q.desc }

func (q *queueDepth) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	rows, err := q.db.QueryContext(ctx, `SELECT state, count(*) FROM river_job WHERE kind = ? GROUP BY state`, q.kind)
	if err != nil {
		q.log.Warn("queue depth metric", "kind", q.kind, "err", err)
		return
	}
	defer rows.Close()
	for rows.Next() {
		var state string
		var n float64
		if err := rows.Scan(&state, &n); err != nil {
			q.log.Warn("queue depth metric", "kind", q.kind, "err", err)
			return
		}
		ch <- prometheus.MustNewConstMetric(q.desc, prometheus.GaugeValue, n, state)
	}
}
