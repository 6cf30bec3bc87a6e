package webhook_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/commit-labeler/commit-labeler/webhook"
)

// FuzzIntake posts random bodies and headers: the intake never panics,
// never stores a request that is not signed with the secret, and stores a
// signed one only as valid JSON.
func FuzzIntake(f *testing.F) {
	bot := startBot(f, "", []webhook.Handler{newRecorder(botEvents...)})
	f.Add([]byte(`{"action":"opened","installation":{"id":1}}`), "pull_request", "guid-1", "", "application/json", true)
	f.Add([]byte(`{"ref":"x"`), "push", "guid-2", "", "application/json", true)
	f.Add([]byte(`payload=%7B%7D`), "push", "guid-3", "", "application/x-www-form-urlencoded; charset=utf-8", true)
	f.Add([]byte(`{}`), "push", "guid-4", "sha256=00", "application/json", false)
	f.Add([]byte(`{}`), "installation", "guid-5", "sha1=00", "application/json", false)
	f.Add([]byte(`null`), "star", "\x00", "sha256=", "text/plain", true)
	f.Fuzz(func(t *testing.T, body []byte, event, id, signature, contentType string, sign bool) {
		valid := webhook.SignatureHeader(testSecret, body)
		if sign {
			signature = valid
		}
		before, _ := bot.rows(t)
		req := httptest.NewRequest(http.MethodPost, webhook.PathWebhooks, bytes.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		req.Header.Set(webhook.HeaderEvent, event)
		req.Header.Set(webhook.HeaderDelivery, id)
		req.Header.Set(webhook.HeaderSignature, signature)
		rec := httptest.NewRecorder()
		bot.srv.ServeHTTP(rec, req)
		after, _ := bot.rows(t)
		if after == before {
			return
		}
		if signature != valid {
			t.Fatalf("stored an unsigned delivery (status %d, signature %q)", rec.Code, signature)
		}
		if rec.Code != http.StatusAccepted {
			t.Fatalf("stored a delivery but answered %d", rec.Code)
		}
		d, err := bot.db.Delivery(t.Context(), id)
		if err != nil {
			t.Fatalf("stored row not readable by its id %q: %v", id, err)
		}
		if !bytes.HasPrefix(bytes.TrimLeft(d.Payload, " \t\r\n"), []byte("{")) {
			t.Fatalf("stored a payload that is not a JSON object: %q", d.Payload)
		}
	})
}
