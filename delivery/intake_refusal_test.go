package delivery_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/commit-labeler/commit-labeler/delivery"
)

// TestRefusedDeliveriesAreLoggedAndCounted: every request the intake
// refuses is logged at WARN with its reason, delivery id, event and
// remote address, never its body or signature, and counted by reason.
func TestRefusedDeliveriesAreLoggedAndCounted(t *testing.T) {
	// The log goes to a file, which the server's goroutines may write
	// while the test reads it.
	logFile, err := os.Create(filepath.Join(t.TempDir(), "bot.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	logs := func() string { b, _ := os.ReadFile(logFile.Name()); return string(b) }
	log := slog.New(slog.NewTextHandler(logFile, nil))
	metrics := delivery.NewMetrics()
	bot := startBot(t, "", []delivery.Handler{newRecorder("pull_request")}, delivery.WithLogger(log), delivery.WithMetrics(metrics))
	const body = `{"action":"opened","secret_token":"body-only"}`
	for _, tc := range []struct {
		name, reason string
		status       int
		request      func() *http.Request
	}{
		{"bad signature", "bad_signature", http.StatusUnauthorized, func() *http.Request {
			r := signedRequest(t, bot.http.URL, "pull_request", "guid-forged", []byte(body))
			r.Header.Set(delivery.HeaderSignature, delivery.SignatureHeader([]byte("wrong"), []byte(body)))
			return r
		}},
		{"malformed JSON", "malformed_payload", http.StatusBadRequest, func() *http.Request {
			return signedRequest(t, bot.http.URL, "pull_request", "guid-malformed", []byte(`{"action":"opened","secret_token":`))
		}},
		{"not an object", "malformed_payload", http.StatusBadRequest, func() *http.Request {
			return signedRequest(t, bot.http.URL, "pull_request", "guid-array", []byte(`["body-only"]`))
		}},
		{"too large", "too_large", http.StatusRequestEntityTooLarge, func() *http.Request {
			return signedRequest(t, bot.http.URL, "pull_request", "guid-large", bytes.Repeat([]byte(" "), delivery.MaxPayloadBytes+1))
		}},
		{"content type", "bad_content_type", http.StatusUnsupportedMediaType, func() *http.Request {
			r := signedRequest(t, bot.http.URL, "pull_request", "guid-type", []byte(body))
			r.Header.Set("Content-Type", "text/plain")
			return r
		}},
		{"no delivery id", "bad_request", http.StatusBadRequest, func() *http.Request {
			r := signedRequest(t, bot.http.URL, "pull_request", "", []byte(body))
			r.Header.Del(delivery.HeaderDelivery)
			return r
		}},
		{"unhandled event", "ignored", http.StatusOK, func() *http.Request {
			return signedRequest(t, bot.http.URL, "star", "guid-star", []byte(body))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := tc.request()
			delivery, event := req.Header.Get(delivery.HeaderDelivery), req.Header.Get(delivery.HeaderEvent)
			if status, _ := bot.send(t, req); status != tc.status {
				t.Fatalf("status %d, want %d", status, tc.status)
			}
			var line string
			for _, l := range strings.Split(logs(), "\n") {
				if strings.Contains(l, `msg="delivery refused"`) && strings.Contains(l, " reason="+tc.reason+" ") &&
					(delivery == "" || strings.Contains(l, " delivery="+delivery+" ")) {
					line = l
				}
			}
			if delivery == "" {
				delivery = `"(absent or malformed)"`
			}
			for _, want := range []string{"level=WARN", " delivery=" + delivery + " ", " event=" + event + " ", " remote=127.0.0.1:"} {
				if !strings.Contains(line, want) {
					t.Errorf("no WARN line with %q for this refusal:\n%s", want, logs())
				}
			}
			for _, secret := range []string{"body-only", "sha256=", string(testSecret)} {
				if strings.Contains(line, secret) {
					t.Errorf("the refusal's log line shows %q: %s", secret, line)
				}
			}
		})
	}
	m := bot.scrape(t)
	for _, want := range []string{`outcome="bad_signature"} 1`, `outcome="malformed_payload"} 2`, `outcome="too_large"} 1`,
		`outcome="bad_content_type"} 1`, `outcome="bad_request"} 1`, `outcome="ignored"} 1`} {
		if !strings.Contains(m, want) {
			t.Errorf("/metrics lacks %s:\n%s", want, grepLines(m, "deliveries_total"))
		}
	}
}
