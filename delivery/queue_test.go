package delivery_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/commit-labeler/commit-labeler/delivery"
	"github.com/commit-labeler/commit-labeler/store"
)

// jobState returns the River state of the delivery's job.
func (b *testBot) jobState(t testing.TB, id string) string {
	t.Helper()
	var state string
	if err := b.db.SQL().QueryRow(`SELECT state FROM river_job WHERE json_extract(args, '$.delivery_id') = ?`, id).Scan(&state); err != nil {
		t.Fatal(err)
	}
	return state
}

// waitStatus polls until the delivery has the status.
func (b *testBot) waitStatus(t testing.TB, id string, want store.DeliveryStatus) store.Delivery {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		d, err := b.db.Delivery(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		if d.Status == want {
			return d
		}
		if time.Now().After(deadline) {
			t.Fatalf("delivery %s is %s, want %s", id, d.Status, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// scrape returns the /metrics text.
func (b *testBot) scrape(t testing.TB) string {
	t.Helper()
	resp, err := b.http.Client().Get(b.http.URL + delivery.PathMetrics)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	text, _ := io.ReadAll(resp.Body)
	return string(text)
}

func TestQueueRetries(t *testing.T) {
	errBoom := errors.New("GitHub answered 502")
	tests := []struct {
		name       string
		fail       func(id string, attempt int) error
		calls      int
		status     store.DeliveryStatus
		jobState   string
		metricLine string
	}{
		{"retried until it succeeds", func(_ string, attempt int) error {
			if attempt < 3 {
				return errBoom
			}
			return nil
		}, 3, store.DeliveryDone, "completed", `commit_labeler_webhook_jobs_total{event="pull_request",outcome="retry"} 2`},
		{"permanent error not retried", func(string, int) error { return delivery.Permanent(errBoom) },
			1, store.DeliveryFailed, "cancelled", `commit_labeler_webhook_jobs_total{event="pull_request",outcome="failed"} 1`},
		{"kept as failed after the last attempt", func(string, int) error { return errBoom },
			3, store.DeliveryFailed, "discarded", `commit_labeler_webhook_queue_jobs{state="discarded"} 1`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newRecorder("pull_request")
			h.fail = tt.fail
			bot := startBot(t, "", []delivery.Handler{h}, delivery.WithMaxAttempts(3))
			if status, _ := bot.post(t, "pull_request", "guid-r", []byte(`{"action":"opened"}`)); status != http.StatusAccepted {
				t.Fatalf("status %d", status)
			}
			d := bot.waitStatus(t, "guid-r", tt.status)
			h.waitCalls(t, tt.calls)
			deadline := time.Now().Add(10 * time.Second)
			for bot.jobState(t, "guid-r") != tt.jobState && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
			if got := bot.jobState(t, "guid-r"); got != tt.jobState {
				t.Fatalf("job state %s, want %s", got, tt.jobState)
			}
			if n := h.count("guid-r"); n != tt.calls {
				t.Fatalf("%d calls, want %d", n, tt.calls)
			}
			if tt.status == store.DeliveryFailed && !strings.Contains(d.Error, errBoom.Error()) {
				t.Fatalf("stored error %q", d.Error)
			}
			if m := bot.scrape(t); !strings.Contains(m, tt.metricLine) {
				t.Fatalf("metrics lack %q:\n%s", tt.metricLine, grepLines(m, "commit_labeler_webhook"))
			}
		})
	}
}

func grepLines(text, substr string) string {
	var out []string
	for line := range strings.Lines(text) {
		if strings.Contains(line, substr) {
			out = append(out, line)
		}
	}
	return strings.Join(out, "")
}

// TestQueueResumesAfterCrash snapshots the file while handlers are blocked
// (what a killed process leaves on disk: committed deliveries, jobs marked
// running) and checks a bot started on the snapshot handles every delivery
// exactly once.
func TestQueueResumesAfterCrash(t *testing.T) {
	const n = 6
	blocked := newRecorder("push")
	blocked.block = make(chan struct{}) // never closed: the first bot never finishes
	bot := startBot(t, "", []delivery.Handler{blocked}, delivery.WithWorkers(4))
	for i := range n {
		if status, _ := bot.post(t, "push", fmt.Sprintf("guid-%d", i), []byte(`{"ref":"refs/heads/main"}`)); status != http.StatusAccepted {
			t.Fatalf("status %d", status)
		}
	}
	blocked.waitEntered(t, 4) // every worker is inside a handler
	snapshot := filepath.Join(t.TempDir(), "crashed.db")
	if _, err := bot.db.SQL().Exec(`VACUUM INTO ?`, snapshot); err != nil {
		t.Fatal(err)
	}

	h := newRecorder("push")
	restarted := startBot(t, snapshot, []delivery.Handler{h})
	h.waitCalls(t, n)
	for i := range n {
		id := fmt.Sprintf("guid-%d", i)
		restarted.waitStatus(t, id, store.DeliveryDone)
		if c := h.count(id); c != 1 {
			t.Errorf("%s handled %d times after the restart", id, c)
		}
	}
}

// TestQueueStopRequeuesRunningJobs checks a graceful stop cancels handlers
// that outlive the stop timeout and the next start finishes them.
func TestQueueStopRequeuesRunningJobs(t *testing.T) {
	slow := newRecorder("push")
	slow.block = make(chan struct{})
	bot := startBot(t, "", []delivery.Handler{slow}, delivery.WithStopTimeout(50*time.Millisecond))
	bot.post(t, "push", "guid-slow", []byte(`{}`))
	slow.waitEntered(t, 1)
	start := time.Now()
	bot.stop()
	if took := time.Since(start); took > 10*time.Second {
		t.Fatalf("stop took %v", took)
	}

	h := newRecorder("push")
	restarted := startBot(t, bot.path, []delivery.Handler{h})
	restarted.waitStatus(t, "guid-slow", store.DeliveryDone)
	if h.count("guid-slow") != 1 {
		t.Fatalf("handled %d times after restart", h.count("guid-slow"))
	}
}

// TestServerRefusesSecondProcess checks the store's file lock.
func TestServerRefusesSecondProcess(t *testing.T) {
	bot := startBot(t, "", nil)
	db := openStore(t, bot.path)
	defer db.Close()
	_, err := delivery.NewServer(t.Context(), db, testSecret, delivery.NewDispatcher(quietLog()))
	if err == nil || !strings.Contains(err.Error(), "in use") {
		t.Fatalf("second server on the same file: %v", err)
	}
}
