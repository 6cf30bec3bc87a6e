package delivery

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/commit-labeler/commit-labeler/deliveryjob"
	"github.com/commit-labeler/commit-labeler/learnjob"
	"github.com/commit-labeler/commit-labeler/store"
)

// Routes the server answers.
const (
	PathWebhooks = "/api/github/webhooks"
	PathHealth   = "/healthz"
	PathMetrics  = "/metrics"
)

// Server receives GitHub's webhook deliveries: it verifies, stores and
// queues them before answering, and its queue dispatches them to the
// handlers, retrying failures.
type Server struct {
	db         *store.DB
	secret     []byte
	dispatcher *Dispatcher
	metrics    *Metrics
	log        *slog.Logger
	queue      *queue
	committer  *committer
	// priority lets the intake go first when it falls behind.
	priority *intakePriority
	// recent hands stored payloads to their jobs.
	recent *recentPayloads
	mux    *http.ServeMux
}

// Option configures a Server.
type Option func(*settings)

type settings struct {
	log     *slog.Logger
	metrics *Metrics
	queue   queueConfig
}

// WithLogger sets the logger (slog.Default() otherwise).
func WithLogger(l *slog.Logger) Option { return func(s *settings) { s.log = l } }

// WithMetrics makes the server count into m (a fresh NewMetrics otherwise),
// so that handlers built before the server share it.
func WithMetrics(m *Metrics) Option { return func(s *settings) { s.metrics = m } }

// WithWorkers sets how many deliveries are handled at once (default 4).
func WithWorkers(n int) Option { return func(s *settings) { s.queue.workers = n } }

// WithMaxAttempts sets how many times a delivery's handlers run before it
// is kept as failed (default 10).
func WithMaxAttempts(n int) Option { return func(s *settings) { s.queue.maxAttempts = n } }

// WithRetryUnit scales the exponential backoff: attempt n waits n⁴ units
// (default one second, River's schedule).
func WithRetryUnit(d time.Duration) Option { return func(s *settings) { s.queue.retryUnit = d } }

// WithStopTimeout sets how long Stop lets running handlers finish before
// cancelling them; cancelled deliveries are retried (default 30 seconds).
func WithStopTimeout(d time.Duration) Option { return func(s *settings) { s.queue.stopTimeout = d } }

// WithPollInterval sets how often the queue looks for due retries (default 1 second).
func WithPollInterval(d time.Duration) Option { return func(s *settings) { s.queue.pollEvery = d } }

// NewServer makes a server storing deliveries in db and dispatching them
// with d. It sizes db's pool, takes this process's hold on db's queue
// (store.DB.HoldQueue) and applies River's migrations; Start starts
// handling.
func NewServer(ctx context.Context, db *store.DB, secret []byte, d *Dispatcher, opts ...Option) (*Server, error) {
	if len(secret) == 0 {
		return nil, errors.New("delivery: the webhook secret is empty")
	}
	st := settings{log: slog.Default(), queue: defaultQueueConfig()}
	for _, o := range opts {
		o(&st)
	}
	db.SizePool(st.queue.workers)
	if st.metrics == nil {
		st.metrics = NewMetrics()
	}
	s := &Server{db: db, secret: secret, dispatcher: d, metrics: st.metrics, log: st.log, mux: http.NewServeMux()}
	s.priority, s.recent = newIntakePriority(), newRecentPayloads()
	worker := &deliveryWorker{db: db, dispatcher: d, metrics: st.metrics, log: st.log, priority: s.priority, recent: s.recent}
	var err error
	if s.queue, err = openQueue(ctx, db, worker, st.queue, st.log); err != nil {
		return nil, err
	}
	if err := st.metrics.Register(
		newQueueDepth(db.SQL(), st.log, deliveryjob.Kind, "webhook", "queue_jobs",
			"Delivery jobs in the queue by River state (available, running, retryable, discarded, completed...)."),
		newQueueDepth(db.SQL(), st.log, learnjob.Kind, "learn", "jobs",
			"Learn jobs (train worker) by River state (available, running, retryable, discarded, completed...)."),
		newRepositoryModelFigures(db, st.log)); err != nil {
		s.queue.release()
		return nil, fmt.Errorf("delivery: queue metric: %w", err)
	}
	s.committer = newCommitter(db, s.queue)
	s.mux.HandleFunc("POST "+PathWebhooks, s.serveWebhook)
	s.mux.HandleFunc("GET "+PathHealth, s.serveHealth)
	s.mux.Handle("GET "+PathMetrics, st.metrics.Handler())
	return s, nil
}

// Metrics returns the server's metrics.
func (s *Server) Metrics() *Metrics { return s.metrics }

// Start requeues the deliveries an earlier process left unfinished and
// starts handling queued deliveries.
func (s *Server) Start(ctx context.Context) error { return s.queue.start(ctx) }

// Stop stops taking deliveries (those arriving now get 500 and GitHub's
// redelivery) and stops handling: running handlers get the stop timeout to finish,
// then are cancelled and their deliveries left for the next start.
func (s *Server) Stop(ctx context.Context) error {
	s.committer.stop()
	return s.queue.stop(ctx)
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

func (s *Server) serveHealth(w http.ResponseWriter, r *http.Request) {
	if err := s.db.SQL().PingContext(r.Context()); err != nil {
		http.Error(w, "store unavailable", http.StatusServiceUnavailable)
		return
	}
	io.WriteString(w, "ok\n")
}

// serveWebhook answers 202 "queued" once the delivery and its job are
// committed, 200 "duplicate" for a GUID already stored and 200 "ignored"
// for an event no handler takes; refusals store nothing.
func (s *Server) serveWebhook(w http.ResponseWriter, r *http.Request) {
	event := eventUnverified
	s.priority.begin()
	status, outcome, msg := s.intake(r, &event)
	s.priority.end()
	s.metrics.deliveries.WithLabelValues(event, outcome).Inc()
	if outcome != outcomeQueued && outcome != outcomeDuplicate && outcome != outcomeError {
		logRefusal(r.Context(), s.log, r, status, outcome, msg)
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	io.WriteString(w, msg+"\n")
}

// intake runs the checks in order (signature before parsing) and stores the
// delivery; it sets *event once the signature is verified.
func (s *Server) intake(r *http.Request, event *string) (status int, outcome, msg string) {
	buf := takeBodyBuffer()
	defer func() { putBodyBuffer(buf) }()
	body, mediaType, err := verifyRequest(r, s.secret, buf)
	if err != nil {
		return refusal(err)
	}
	d := store.Delivery{}
	if d.Event, d.ID, err = deliveryHeaders(r); err != nil {
		return refusal(err)
	}
	if !s.dispatcher.Handles(d.Event) {
		*event = "unhandled"
		return http.StatusOK, outcomeIgnored, "ignored"
	}
	*event = d.Event
	if err := ParsePayload(body, mediaType, &d); err != nil {
		return refusal(err)
	}
	d.Pack() // here, on any core, rather than in the single writer
	fresh, err := s.committer.store(r.Context(), d)
	if r.Context().Err() != nil {
		buf = nil // the writer may not be done with d, whose payload is in buf
	}
	if err != nil {
		s.log.ErrorContext(r.Context(), "delivery not stored", "delivery", d.ID, "event", d.Event, "err", err)
		return http.StatusInternalServerError, outcomeError, "not stored"
	}
	if !fresh {
		s.log.InfoContext(r.Context(), "duplicate delivery", "delivery", d.ID, "event", d.Event)
		return http.StatusOK, outcomeDuplicate, "duplicate"
	}
	s.recent.put(d.ID, d.Packed())
	s.log.InfoContext(r.Context(), "delivery queued", "delivery", d.ID, "event", d.Event, "action", d.Action, "repo", d.Repo)
	return http.StatusAccepted, outcomeQueued, "queued"
}

// refusal maps an intake error to its answer.
func refusal(err error) (int, string, string) {
	var ie *intakeError
	if !errors.As(err, &ie) {
		return http.StatusBadRequest, outcomeBadRequest, "bad request"
	}
	outcome := cmp.Or(ie.outcome, outcomeBadRequest)
	switch {
	case ie.outcome != "":
	case ie.status == http.StatusUnauthorized:
		outcome = outcomeBadSignature
	case ie.status == http.StatusRequestEntityTooLarge:
		outcome = outcomeTooLarge
	case ie.status == http.StatusUnsupportedMediaType:
		outcome = outcomeBadContentType
	}
	return ie.status, outcome, ie.message
}
