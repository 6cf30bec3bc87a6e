package ghapp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bradleyfalzon/ghinstallation/v2"
)

// Defaults of Transport.
const (
	defaultAttempts = 6
	defaultBackoff  = time.Second
	defaultMaxWait  = 15 * time.Minute
	// secondaryFloor is GitHub's advice for a secondary rate limit answer
	// without Retry-After: wait at least a minute.
	secondaryFloor = time.Minute
	// errorBodyLimit bounds how much of an error answer is read to classify it.
	errorBodyLimit = 64 << 10
)

// Transport is an http.RoundTripper that makes a GitHub client behave well:
// it never sends a request before a Retry-After or rate limit reset it was
// told about (for any request through it: one Transport per installation),
// waits out exhausted primary rate limits and secondary rate limits, retries
// 5xx answers and network errors of idempotent requests with exponential
// backoff and jitter, a bounded number of times, and logs 404 and 422
// answers. It wraps the authenticating transport (ghinstallation), so that
// a retried request is signed again.
type Transport struct {
	next     http.RoundTripper
	log      *slog.Logger
	attempts int
	backoff  time.Duration
	maxWait  time.Duration
	now      func() time.Time

	mu        sync.Mutex
	notBefore time.Time
	rng       *rand.Rand
}

// TransportOption configures a Transport.
type TransportOption func(*Transport)

// WithAttempts sets how many times a request is sent at most (default 6).
func WithAttempts(n int) TransportOption { return func(t *Transport) { t.attempts = max(n, 1) } }

// WithBackoff sets the first delay before retrying a 5xx answer or network
// error (default 1s); it doubles on each attempt, with jitter.
func WithBackoff(d time.Duration) TransportOption { return func(t *Transport) { t.backoff = d } }

// WithMaxWait sets the longest wait accepted before a retry (default 15m);
// an answer asking for more is returned to the caller as is.
func WithMaxWait(d time.Duration) TransportOption { return func(t *Transport) { t.maxWait = d } }

// WithTransportLogger sets the logger of retries and 404/422 answers.
func WithTransportLogger(l *slog.Logger) TransportOption { return func(t *Transport) { t.log = l } }

// NewTransport wraps next (http.DefaultTransport when nil).
func NewTransport(next http.RoundTripper, opts ...TransportOption) *Transport {
	if next == nil {
		next = http.DefaultTransport
	}
	t := &Transport{
		next:     next,
		log:      slog.Default(),
		attempts: defaultAttempts,
		backoff:  defaultBackoff,
		maxWait:  defaultMaxWait,
		now:      time.Now,
		rng:      rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 0)),
	}
	for _, o := range opts {
		o(t)
	}
	return t
}

// RoundTrip sends req, waiting and retrying as the type's comment says.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	for attempt := 1; ; attempt++ {
		if err := t.waitTurn(ctx); err != nil {
			return nil, err
		}
		try, err := rewound(req, attempt)
		if err != nil {
			return nil, err
		}
		resp, err := t.next.RoundTrip(try)
		wait, shared, why := t.retryAfter(req, resp, err, attempt)
		if why == "" {
			t.logClientError(req, resp)
			return resp, err
		}
		if attempt >= t.attempts || wait > t.maxWait {
			t.log.WarnContext(ctx, "github: giving up", "method", req.Method, "path", req.URL.Path,
				"attempt", attempt, "reason", why, "wait", wait)
			return resp, err
		}
		if resp != nil {
			io.Copy(io.Discard, io.LimitReader(resp.Body, errorBodyLimit))
			resp.Body.Close()
		}
		t.log.InfoContext(ctx, "github: retrying", "method", req.Method, "path", req.URL.Path,
			"attempt", attempt, "reason", why, "wait", wait)
		if shared {
			t.delayAll(wait)
		} else if err := ghSleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

// rewound returns the request to send on this attempt: req itself first,
// then a clone with a fresh body.
func rewound(req *http.Request, attempt int) (*http.Request, error) {
	if attempt == 1 || req.Body == nil || req.Body == http.NoBody {
		return req, nil
	}
	if req.GetBody == nil {
		return nil, fmt.Errorf("github: %s %s: cannot resend a request whose body cannot be reread", req.Method, req.URL.Path)
	}
	body, err := req.GetBody()
	if err != nil {
		return nil, fmt.Errorf("github: %s %s: reread body: %w", req.Method, req.URL.Path, err)
	}
	clone := req.Clone(req.Context())
	clone.Body = body
	return clone, nil
}

// retryAfter decides whether to retry: why is empty when the answer stands.
// shared waits (rate limits) hold back every request of the Transport.
func (t *Transport) retryAfter(req *http.Request, resp *http.Response, err error, attempt int) (wait time.Duration, shared bool, why string) {
	if err != nil {
		if req.Context().Err() != nil || !idempotent(req.Method) || tokenRefused(err) {
			return 0, false, ""
		}
		return t.backoffDelay(attempt), false, "network error: " + err.Error()
	}
	t.noteRateLimit(resp)
	status := resp.StatusCode
	switch {
	case status == http.StatusForbidden || status == http.StatusTooManyRequests:
		if d, ok := retryAfterHeader(resp.Header, t.now()); ok {
			return d, true, fmt.Sprintf("%d with Retry-After", status)
		}
		if resp.Header.Get("X-RateLimit-Remaining") == "0" {
			return t.untilReset(resp.Header), true, fmt.Sprintf("%d primary rate limit exhausted", status)
		}
		if isSecondaryRateLimit(resp) {
			return secondaryFloor << min(attempt-1, 4), true, fmt.Sprintf("%d secondary rate limit", status)
		}
		return 0, false, ""
	case status >= 500 && status <= 599 && status != http.StatusNotImplemented:
		if d, ok := retryAfterHeader(resp.Header, t.now()); ok {
			return d, true, fmt.Sprintf("%d with Retry-After", status)
		}
		return t.backoffDelay(attempt), false, resp.Status
	}
	return 0, false, ""
}

// noteRateLimit holds back later requests until the reset when the answer
// says the primary rate limit is used up.
func (t *Transport) noteRateLimit(resp *http.Response) {
	if resp.Header.Get("X-RateLimit-Remaining") == "0" {
		t.delayAll(t.untilReset(resp.Header))
	}
}

func (t *Transport) untilReset(h http.Header) time.Duration {
	reset, err := strconv.ParseInt(h.Get("X-RateLimit-Reset"), 10, 64)
	if err != nil {
		return secondaryFloor
	}
	// One second more: the reset is rounded down to whole seconds.
	return max(time.Unix(reset, 0).Sub(t.now())+time.Second, 0)
}

// retryAfterHeader parses Retry-After: seconds or an HTTP date.
func retryAfterHeader(h http.Header, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if s, err := strconv.Atoi(v); err == nil {
		return time.Duration(max(s, 0)) * time.Second, true
	}
	if at, err := http.ParseTime(v); err == nil {
		return max(at.Sub(now), 0), true
	}
	return 0, false
}

// isSecondaryRateLimit recognises GitHub's secondary rate limit answer by
// its documentation URL or message, keeping the body readable.
func isSecondaryRateLimit(resp *http.Response) bool {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, errorBodyLimit))
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	var e struct {
		Message          string `json:"message"`
		DocumentationURL string `json:"documentation_url"`
	}
	json.Unmarshal(body, &e)
	return strings.Contains(strings.ToLower(e.Message), "secondary rate limit") ||
		strings.HasSuffix(e.DocumentationURL, "secondary-rate-limits") ||
		strings.HasSuffix(e.DocumentationURL, "#abuse-rate-limits")
}

// backoffDelay is backoff·2^(attempt-1), with ±50% jitter.
func (t *Transport) backoffDelay(attempt int) time.Duration {
	d := t.backoff << min(attempt-1, 10)
	t.mu.Lock()
	f := 0.5 + t.rng.Float64()
	t.mu.Unlock()
	return time.Duration(float64(d) * f)
}

// delayAll holds back every request until now+d (never earlier than an
// earlier hold).
func (t *Transport) delayAll(d time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if at := t.now().Add(d); at.After(t.notBefore) {
		t.notBefore = at
	}
}

// waitTurn waits until no hold is pending.
func (t *Transport) waitTurn(ctx context.Context) error {
	for {
		t.mu.Lock()
		d := t.notBefore.Sub(t.now())
		t.mu.Unlock()
		if d <= 0 {
			return nil
		}
		if err := ghSleep(ctx, d); err != nil {
			return err
		}
	}
}

// logClientError logs GitHub's 404 and 422 answers. A 404 is most often
// expected (no configuration file, a label not created yet): the caller
// decides what it means and logs what matters, so it is DEBUG; a 422
// refuses what was sent, which an operator may need to see.
func (t *Transport) logClientError(req *http.Request, resp *http.Response) {
	if resp == nil {
		return
	}
	switch resp.StatusCode {
	case http.StatusNotFound:
		t.log.DebugContext(req.Context(), "github: not found", "method", req.Method, "path", req.URL.Path)
	case http.StatusUnprocessableEntity:
		t.log.InfoContext(req.Context(), "github: request refused", "method", req.Method, "path", req.URL.Path,
			"status", resp.StatusCode)
	}
}

// tokenRefused reports whether err is GitHub refusing the installation a
// token with a 4xx that waiting will not change (the App was uninstalled or
// the installation suspended): resending the request cannot succeed.
func tokenRefused(err error) bool {
	var e *ghinstallation.HTTPError
	if !errors.As(err, &e) || e.Response == nil {
		return false
	}
	s := e.Response.StatusCode
	return s >= 400 && s < 500 && s != http.StatusTooManyRequests && e.Response.Header.Get("Retry-After") == ""
}

func idempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPut, http.MethodDelete:
		return true
	}
	return false
}

// ghSleep waits d or until ctx ends.
func ghSleep(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}
