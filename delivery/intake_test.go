package delivery_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/commit-labeler/commit-labeler/delivery"
)

var botEvents = []string{"push", "pull_request", "installation", "installation_repositories"}

// TestIntakeAcceptsGitHubExamples posts every example payload GitHub
// documents for the handled events and checks each is stored with its
// envelope and dispatched exactly once.
func TestIntakeAcceptsGitHubExamples(t *testing.T) {
	examples := loadExamples(t, botEvents...)
	h := newRecorder(botEvents...)
	bot := startBot(t, "", []delivery.Handler{h})
	for i, ex := range examples {
		id := fmt.Sprintf("example-%02d", i)
		if status, msg := bot.post(t, ex.event, id, ex.payload); status != http.StatusAccepted || msg != "queued" {
			t.Fatalf("%s %s (%s): %d %q", ex.event, ex.action, id, status, msg)
		}
	}
	h.waitCalls(t, len(examples))
	bot.stop()

	db := openStore(t, bot.path)
	defer db.Close()
	for i, ex := range examples {
		id := fmt.Sprintf("example-%02d", i)
		if n := h.count(id); n != 1 {
			t.Errorf("%s %s dispatched %d times", ex.event, id, n)
		}
		d, err := db.Delivery(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		if d.Event != ex.event || d.Action != ex.action || d.Status != "done" || !bytes.Equal(d.Payload, ex.payload) {
			t.Errorf("%s stored as %s/%s status %s", id, d.Event, d.Action, d.Status)
		}
		if ex.event == "pull_request" && (d.Repo == "" || d.InstallationID == 0) && strings.Contains(string(ex.payload), `"installation"`) {
			t.Errorf("%s: envelope without repo/installation: %+v", id, d)
		}
	}
}

// TestIntakeRefusals checks each bad request gets its status and leaves
// no row, no job and no handler call.
func TestIntakeRefusals(t *testing.T) {
	h := newRecorder(botEvents...)
	bot := startBot(t, "", []delivery.Handler{h})
	body := []byte(`{"action":"opened","installation":{"id":1},"repository":{"full_name":"o/r"}}`)
	big := bytes.Repeat([]byte(" "), 26<<20)
	copy(big, `{"a":1}`)
	with := func(f func(r *http.Request)) func(*testing.T) *http.Request {
		return func(t *testing.T) *http.Request {
			r := signedRequest(t, bot.http.URL, "pull_request", "guid-x", body)
			f(r)
			return r
		}
	}
	resign := func(event string, b []byte) func(*testing.T) *http.Request {
		return func(t *testing.T) *http.Request { return signedRequest(t, bot.http.URL, event, "guid-x", b) }
	}
	tests := []struct {
		name   string
		req    func(*testing.T) *http.Request
		status int
	}{
		{"bad signature", with(func(r *http.Request) {
			r.Header.Set(delivery.HeaderSignature, delivery.SignatureHeader([]byte("wrong"), body))
		}), 401},
		{"signature not hex", with(func(r *http.Request) { r.Header.Set(delivery.HeaderSignature, "sha256=zz") }), 401},
		{"sha1 only", with(func(r *http.Request) {
			r.Header.Del(delivery.HeaderSignature)
			r.Header.Set(delivery.HeaderSignatureSHA1, "sha1=0123456789abcdef0123456789abcdef01234567")
		}), 401},
		{"missing signature", with(func(r *http.Request) { r.Header.Del(delivery.HeaderSignature) }), 401},
		{"truncated json", resign("pull_request", body[:len(body)-3]), 400},
		{"json array", resign("pull_request", []byte(`[1]`)), 400},
		{"json null", resign("pull_request", []byte(`null`)), 400},
		{"wrong content type", with(func(r *http.Request) { r.Header.Set("Content-Type", "text/plain") }), 415},
		{"no content type", with(func(r *http.Request) { r.Header.Del("Content-Type") }), 415},
		{"26 MB body", resign("pull_request", big), 413},
		{"missing delivery id", with(func(r *http.Request) { r.Header.Del(delivery.HeaderDelivery) }), 400},
		{"missing event", with(func(r *http.Request) { r.Header.Del(delivery.HeaderEvent) }), 400},
		{"unknown event", resign("star", body), 200},
		{"form without payload", func(t *testing.T) *http.Request {
			b := []byte("other=1")
			r := signedRequest(t, bot.http.URL, "pull_request", "guid-x", b)
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			return r
		}, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if status, msg := bot.send(t, tt.req(t)); status != tt.status {
				t.Fatalf("status %d %q, want %d", status, msg, tt.status)
			}
			if d, j := bot.rows(t); d != 0 || j != 0 {
				t.Fatalf("%d deliveries and %d jobs stored", d, j)
			}
			if h.total() != 0 {
				t.Fatal("handler called")
			}
		})
	}
	if status, _ := bot.send(t, must(http.NewRequest(http.MethodGet, bot.http.URL+delivery.PathWebhooks, nil))); status != http.StatusMethodNotAllowed {
		t.Fatalf("GET webhooks: %d", status)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestIntakeReplayedDelivery checks a redelivered GUID is answered
// "duplicate" and not acted on twice, and a form-encoded delivery counts
// as the same GUID.
func TestIntakeReplayedDelivery(t *testing.T) {
	h := newRecorder("pull_request")
	bot := startBot(t, "", []delivery.Handler{h})
	body := []byte(`{"action":"opened","number":1}`)
	if status, msg := bot.post(t, "pull_request", "guid-1", body); status != 202 || msg != "queued" {
		t.Fatalf("first: %d %q", status, msg)
	}
	h.waitCalls(t, 1)
	form := []byte("payload=" + url.QueryEscape(string(body)))
	replay := signedRequest(t, bot.http.URL, "pull_request", "guid-1", form)
	replay.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for _, req := range []*http.Request{signedRequest(t, bot.http.URL, "pull_request", "guid-1", body), replay} {
		if status, msg := bot.send(t, req); status != 200 || msg != "duplicate" {
			t.Fatalf("replay: %d %q", status, msg)
		}
	}
	if d, j := bot.rows(t); d != 1 || j != 1 {
		t.Fatalf("%d deliveries, %d jobs after replays", d, j)
	}
	if h.count("guid-1") != 1 {
		t.Fatalf("handled %d times", h.count("guid-1"))
	}
}

// TestIntakeFormEncoded checks GitHub's form-encoded content type: the
// signature covers the raw form body, the payload field is stored.
func TestIntakeFormEncoded(t *testing.T) {
	h := newRecorder("push")
	bot := startBot(t, "", []delivery.Handler{h})
	payload := `{"ref":"refs/heads/main","repository":{"full_name":"o/r"},"installation":{"id":9}}`
	req := signedRequest(t, bot.http.URL, "push", "guid-form", []byte("payload="+url.QueryEscape(payload)))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if status, msg := bot.send(t, req); status != 202 {
		t.Fatalf("%d %q", status, msg)
	}
	h.waitCalls(t, 1)
	d, err := bot.db.Delivery(t.Context(), "guid-form")
	if err != nil || string(d.Payload) != payload || d.Repo != "o/r" || d.InstallationID != 9 {
		t.Fatalf("stored %+v, %v", d, err)
	}
}
