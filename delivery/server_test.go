package delivery_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/commit-labeler/commit-labeler/internal/ghexamples"

	"github.com/commit-labeler/commit-labeler/delivery"
	"github.com/commit-labeler/commit-labeler/store"
)

var testSecret = []byte("It's a Secret to Everybody")

// recorder is a Handler that records each call, optionally failing or blocking.
type recorder struct {
	events []string
	fail   func(deliveryID string, attempt int) error
	block  chan struct{} // when set, Handle waits for it to close (or ctx)

	mu      sync.Mutex
	calls   map[string]int
	entered chan string // a value per Handle call, as it starts
	done    chan string // a value per Handle call, as it returns
}

func newRecorder(events ...string) *recorder {
	return &recorder{events: events, calls: map[string]int{}, entered: make(chan string, 1000), done: make(chan string, 1000)}
}

func (h *recorder) Handles() []string { return h.events }

func (h *recorder) Handle(ctx context.Context, eventType, deliveryID string, payload []byte) error {
	if !json.Valid(payload) {
		return fmt.Errorf("invalid payload for %s", deliveryID)
	}
	h.mu.Lock()
	h.calls[deliveryID]++
	attempt := h.calls[deliveryID]
	h.mu.Unlock()
	h.entered <- deliveryID
	if h.block != nil {
		select {
		case <-h.block:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if h.fail != nil {
		if err := h.fail(deliveryID, attempt); err != nil {
			h.done <- deliveryID
			return err
		}
	}
	h.done <- deliveryID
	return nil
}

func (h *recorder) count(id string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.calls[id]
}

func (h *recorder) total() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, c := range h.calls {
		n += c
	}
	return n
}

// waitCalls waits until n Handle calls have returned.
func (h *recorder) waitCalls(t testing.TB, n int) {
	t.Helper()
	waitSignals(t, h.done, n, "handler calls returned")
}

// waitEntered waits until n Handle calls have started (blocked handlers
// included).
func (h *recorder) waitEntered(t testing.TB, n int) {
	t.Helper()
	waitSignals(t, h.entered, n, "handler calls started")
}

// waitSignals receives n values from ch, failing the test after 30s.
func waitSignals(t testing.TB, ch <-chan string, n int, what string) {
	t.Helper()
	timeout := time.After(30 * time.Second)
	for i := range n {
		select {
		case <-ch:
		case <-timeout:
			t.Fatalf("timed out after 30s waiting for %d %s (got %d)", n, what, i)
		}
	}
}

// testBot is a started server on a store in t.TempDir().
type testBot struct {
	srv  *delivery.Server
	http *httptest.Server
	db   *store.DB
	path string
}

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func openStore(t testing.TB, path string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// startBot starts a server on path (a new file when empty) with handlers.
func startBot(t testing.TB, path string, handlers []delivery.Handler, opts ...delivery.Option) *testBot {
	t.Helper()
	if path == "" {
		path = filepath.Join(t.TempDir(), "bot.db")
	}
	db := openStore(t, path)
	ctx := context.Background()
	opts = append([]delivery.Option{delivery.WithLogger(quietLog()), delivery.WithRetryUnit(time.Millisecond),
		delivery.WithPollInterval(20 * time.Millisecond), delivery.WithStopTimeout(time.Second)}, opts...)
	srv, err := delivery.NewServer(ctx, db, testSecret, delivery.NewDispatcher(quietLog(), handlers...), opts...)
	if err != nil {
		db.Close()
		t.Fatal(err)
	}
	if err := srv.Start(ctx); err != nil {
		t.Fatal(err)
	}
	b := &testBot{srv: srv, http: httptest.NewServer(srv), db: db, path: path}
	t.Cleanup(b.stop)
	return b
}

// stop stops the bot gracefully (idempotent).
func (b *testBot) stop() {
	if b.http == nil {
		return
	}
	b.http.Close()
	b.srv.Stop(context.Background())
	b.db.Close()
	b.http = nil
}

// post sends a delivery signed with testSecret.
func (b *testBot) post(t testing.TB, event, id string, body []byte) (int, string) {
	t.Helper()
	return b.send(t, signedRequest(t, b.http.URL, event, id, body))
}

func (b *testBot) send(t testing.TB, req *http.Request) (int, string) {
	t.Helper()
	resp, err := b.http.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, strings.TrimSpace(string(msg))
}

func signedRequest(t testing.TB, base, event, id string, body []byte) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, base+delivery.PathWebhooks, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(delivery.HeaderEvent, event)
	req.Header.Set(delivery.HeaderDelivery, id)
	req.Header.Set(delivery.HeaderSignature, delivery.SignatureHeader(testSecret, body))
	return req
}

// rows counts the deliveries and River jobs in the bot's file.
func (b *testBot) rows(t testing.TB) (deliveries, jobs int) {
	t.Helper()
	return countRows(t, b.db.SQL())
}

func countRows(t testing.TB, db *sql.DB) (deliveries, jobs int) {
	t.Helper()
	if err := db.QueryRow(`SELECT count(*) FROM deliveries`).Scan(&deliveries); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`SELECT count(*) FROM river_job`).Scan(&jobs); err != nil {
		t.Fatal(err)
	}
	return deliveries, jobs
}

// example is one payload of @octokit/webhooks-examples.
type example struct {
	event, action string
	payload       []byte
}

// loadExamples returns GitHub's examples of the events, skipping the test
// without them.
func loadExamples(t testing.TB, events ...string) []example {
	t.Helper()
	all := ghexamples.Load(t)
	var out []example
	for _, event := range events {
		for _, p := range all[event] {
			var env struct {
				Action string `json:"action"`
			}
			json.Unmarshal(p, &env)
			out = append(out, example{event: event, action: env.Action, payload: p})
		}
	}
	if len(out) == 0 {
		t.Fatalf("%s has no examples of %v", ghexamples.Path(), events)
	}
	return out
}

func TestHealthz(t *testing.T) {
	bot := startBot(t, "", nil)
	resp, err := bot.http.Client().Get(bot.http.URL + delivery.PathHealth)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("healthz: %d", resp.StatusCode)
	}
}
