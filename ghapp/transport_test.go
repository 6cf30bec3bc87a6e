package ghapp

import (
	"cmp"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bradleyfalzon/ghinstallation/v2"
)

// scriptedServer answers requests with the scripted answers in order (the
// last one repeats) and records when each request arrived and its body.
type scriptedServer struct {
	mu      sync.Mutex
	answers []func(w http.ResponseWriter)
	times   []time.Time
	bodies  []string
}

func (s *scriptedServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	i := min(len(s.times), len(s.answers)-1)
	s.times = append(s.times, time.Now())
	s.bodies = append(s.bodies, string(body))
	answer := s.answers[i]
	s.mu.Unlock()
	answer(w)
}

func status(code int, headers ...string) func(w http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		for i := 0; i+1 < len(headers); i += 2 {
			w.Header().Set(headers[i], headers[i+1])
		}
		w.WriteHeader(code)
		io.WriteString(w, `{"message":"scripted"}`)
	}
}

func transportClient(t *testing.T, s *scriptedServer, opts ...TransportOption) (*http.Client, string) {
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	opts = append([]TransportOption{WithBackoff(5 * time.Millisecond), WithTransportLogger(slog.New(slog.DiscardHandler))}, opts...)
	return &http.Client{Transport: NewTransport(nil, opts...)}, srv.URL
}

func TestTransportRetries(t *testing.T) {
	reset := func() string { return strconv.FormatInt(time.Now().Add(time.Second).Unix(), 10) }
	tests := []struct {
		name      string
		answers   []func(http.ResponseWriter)
		opts      []TransportOption
		method    string
		wantCalls int
		wantCode  int
		// minGap is the least time between the first and second request.
		minGap time.Duration
	}{
		{name: "429 Retry-After", answers: []func(http.ResponseWriter){status(429, "Retry-After", "1"), status(200)},
			wantCalls: 2, wantCode: 200, minGap: time.Second},
		{name: "403 secondary with Retry-After", answers: []func(http.ResponseWriter){
			status(403, "Retry-After", "1"), status(200)}, wantCalls: 2, wantCode: 200, minGap: time.Second},
		{name: "primary limit exhausted", answers: []func(http.ResponseWriter){
			func(w http.ResponseWriter) {
				status(403, "X-RateLimit-Remaining", "0", "X-RateLimit-Reset", reset())(w)
			}, status(200)}, wantCalls: 2, wantCode: 200, minGap: time.Second},
		{name: "502 bounded", answers: []func(http.ResponseWriter){status(502)}, opts: []TransportOption{WithAttempts(3)},
			wantCalls: 3, wantCode: 502},
		{name: "POST resent after 502", method: "POST", answers: []func(http.ResponseWriter){status(502), status(201)},
			wantCalls: 2, wantCode: 201},
		{name: "403 forbidden is final", answers: []func(http.ResponseWriter){status(403)}, wantCalls: 1, wantCode: 403},
		{name: "404 is final", answers: []func(http.ResponseWriter){status(404)}, wantCalls: 1, wantCode: 404},
		{name: "too long a wait is returned", answers: []func(http.ResponseWriter){status(429, "Retry-After", "3600")},
			opts: []TransportOption{WithMaxWait(time.Second)}, wantCalls: 1, wantCode: 429},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &scriptedServer{answers: tt.answers}
			client, url := transportClient(t, s, tt.opts...)
			req, _ := http.NewRequest(cmp.Or(tt.method, "GET"), url+"/repos/o/r/labels", strings.NewReader(`["fix"]`))
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.wantCode || len(s.times) != tt.wantCalls {
				t.Fatalf("status %d after %d calls, want %d after %d", resp.StatusCode, len(s.times), tt.wantCode, tt.wantCalls)
			}
			if tt.minGap > 0 && s.times[1].Sub(s.times[0]) < tt.minGap {
				t.Errorf("retried after %s, before the %s asked", s.times[1].Sub(s.times[0]), tt.minGap)
			}
			for _, b := range s.bodies {
				if b != `["fix"]` {
					t.Errorf("body sent %q, want the original", b)
				}
			}
		})
	}
}

// TestTransportHoldsBackOtherRequests checks that a Retry-After holds back
// every request of the installation, not only the one retried.
func TestTransportHoldsBackOtherRequests(t *testing.T) {
	s := &scriptedServer{answers: []func(http.ResponseWriter){status(429, "Retry-After", "1"), status(200)}}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	tr := NewTransport(nil, WithBackoff(5*time.Millisecond), WithTransportLogger(slog.New(slog.DiscardHandler)))
	client := &http.Client{Transport: tr}
	var wg sync.WaitGroup
	wg.Go(func() { client.Get(srv.URL + "/first") })
	// The second request starts once the 429 has put the hold in place,
	// while the first waits out its Retry-After.
	deadline := time.Now().Add(10 * time.Second)
	for {
		tr.mu.Lock()
		held := !tr.notBefore.IsZero()
		tr.mu.Unlock()
		if held {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the 429 with Retry-After: 1 put no hold on the transport within 10s")
		}
		time.Sleep(time.Millisecond)
	}
	client.Get(srv.URL + "/second")
	wg.Wait()
	for i, at := range s.times[1:] {
		if gap := at.Sub(s.times[0]); gap < time.Second {
			t.Errorf("request %d sent %s after the 429, before its Retry-After of 1s", i+2, gap)
		}
	}
}

func TestTransportSecondaryLimitWithoutRetryAfterWaitsAMinute(t *testing.T) {
	tr := NewTransport(nil)
	resp := &http.Response{StatusCode: 403, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(
		`{"message":"You have exceeded a secondary rate limit","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"}`))}
	req, _ := http.NewRequest("GET", "http://x/", nil)
	wait, shared, why := tr.retryAfter(req, resp, nil, 1)
	if wait != time.Minute || !shared || why == "" {
		t.Fatalf("wait %s shared %v (%q), want 1m shared", wait, shared, why)
	}
	if b, _ := io.ReadAll(resp.Body); !strings.Contains(string(b), "secondary") {
		t.Errorf("body not kept for the caller: %q", b)
	}
}

// tokenRefusal is the authenticating transport failing as ghinstallation
// does when GitHub refuses the installation a token.
type tokenRefusal struct {
	status int
	calls  int
}

func (t *tokenRefusal) RoundTrip(req *http.Request) (*http.Response, error) {
	t.calls++
	resp := &http.Response{StatusCode: t.status, Status: http.StatusText(t.status), Header: http.Header{}, Body: http.NoBody, Request: req}
	return nil, fmt.Errorf("could not refresh installation id 1's token: %w",
		&ghinstallation.HTTPError{Message: "received non 2xx response status", InstallationID: 1, Response: resp})
}

// TestTransportTokenRefusals: a token GitHub refuses for good (404: the App
// was uninstalled; 403: suspended) ends the request at once; a 5xx on the
// token is retried like any other.
func TestTransportTokenRefusals(t *testing.T) {
	for _, tt := range []struct {
		status, wantCalls int
	}{{http.StatusNotFound, 1}, {http.StatusForbidden, 1}, {http.StatusBadGateway, 3}} {
		t.Run(strconv.Itoa(tt.status), func(t *testing.T) {
			next := &tokenRefusal{status: tt.status}
			client := &http.Client{Transport: NewTransport(next, WithAttempts(3), WithBackoff(time.Millisecond),
				WithTransportLogger(slog.New(slog.DiscardHandler)))}
			if _, err := client.Get("http://github.invalid/repos/o/r/pulls/1"); err == nil {
				t.Fatal("no error")
			}
			if next.calls != tt.wantCalls {
				t.Errorf("%d calls, want %d", next.calls, tt.wantCalls)
			}
		})
	}
}

// TestTransportLogsNotFoundAtDebug: a 404 (a configuration file or a label
// that does not exist yet, which the handlers expect) is logged at DEBUG,
// never at INFO; a 422 is logged at INFO as a refusal.
func TestTransportLogsNotFoundAtDebug(t *testing.T) {
	tests := []struct {
		status    int
		wantLevel string
		wantMsg   string
	}{
		{http.StatusNotFound, "DEBUG", "github: not found"},
		{http.StatusUnprocessableEntity, "INFO", "github: request refused"},
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.status), func(t *testing.T) {
			var logs strings.Builder
			log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			client, url := transportClient(t, &scriptedServer{answers: []func(http.ResponseWriter){status(tt.status)}}, WithTransportLogger(log))
			resp, err := client.Get(url + "/repos/acme/app/contents/.github/commit-labeler.yml")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			line := strings.TrimSpace(logs.String())
			if strings.Count(line, "\n") > 0 || !strings.Contains(line, "level="+tt.wantLevel) || !strings.Contains(line, tt.wantMsg) {
				t.Errorf("logged %q; want one %s line %q", line, tt.wantLevel, tt.wantMsg)
			}
		})
	}
}
