package delivery_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"testing"

	"github.com/commit-labeler/commit-labeler/delivery"
	"github.com/commit-labeler/commit-labeler/internal/ghexamples"
)

// intakeSeeds are small payloads of every handled event type, so that the
// fuzzer starts from the shapes the handlers parse even without GitHub's
// examples on disk.
var intakeSeeds = map[string]string{
	"pull_request": `{"action":"opened","number":2,"pull_request":{"number":2,"title":"fix: x","head":{"sha":"abc"},"labels":[]},` +
		`"repository":{"full_name":"o/r","name":"r","owner":{"login":"o"}},"installation":{"id":1},"sender":{"login":"u","type":"User"}}`,
	"push": `{"ref":"refs/heads/main","after":"abc","commits":[{"id":"abc","message":"feat: y","added":["a.go"],"modified":[],"removed":[]}],` +
		`"repository":{"full_name":"o/r","name":"r","owner":{"name":"o","login":"o"},"default_branch":"main"},"installation":{"id":1}}`,
	"installation":              `{"action":"created","installation":{"id":1,"account":{"login":"o"}},"repositories":[{"id":3,"full_name":"o/r"}]}`,
	"installation_repositories": `{"action":"added","installation":{"id":1},"repositories_added":[{"id":3,"full_name":"o/r"}],"repositories_removed":[]}`,
}

// FuzzIntake posts random bodies and headers: the intake never panics,
// never stores a request that is not signed with the secret, and stores a
// signed one only as valid JSON.
func FuzzIntake(f *testing.F) {
	bot := startBot(f, "", []delivery.Handler{newRecorder(botEvents...)})
	f.Add([]byte(`{"action":"opened","installation":{"id":1}}`), "pull_request", "guid-1", "", "application/json", true)
	f.Add([]byte(`{"ref":"x"`), "push", "guid-2", "", "application/json", true)
	f.Add([]byte(`payload=%7B%7D`), "push", "guid-3", "", "application/x-www-form-urlencoded; charset=utf-8", true)
	f.Add([]byte(`{}`), "push", "guid-4", "sha256=00", "application/json", false)
	f.Add([]byte(`{}`), "installation", "guid-5", "sha1=00", "application/json", false)
	f.Add([]byte(`null`), "star", "\x00", "sha256=", "text/plain", true)
	// Every handled event type, signed, JSON and form-encoded; and GitHub's
	// own examples of them when scripts/fetch-github-descriptions.sh fetched them.
	for _, event := range botEvents {
		body := intakeSeeds[event]
		f.Add([]byte(body), event, "seed-"+event, "", "application/json", true)
		f.Add([]byte("payload="+url.QueryEscape(body)), event, "seed-form-"+event, "", "application/x-www-form-urlencoded", true)
	}
	if _, err := os.Stat(ghexamples.Path()); err == nil {
		for _, event := range botEvents {
			for i, ex := range ghexamples.Load(f)[event] {
				f.Add([]byte(ex), event, fmt.Sprintf("example-%s-%d", event, i), "", "application/json", true)
			}
		}
	}
	f.Fuzz(func(t *testing.T, body []byte, event, id, signature, contentType string, sign bool) {
		valid := delivery.SignatureHeader(testSecret, body)
		if sign {
			signature = valid
		}
		before, _ := bot.rows(t)
		req := httptest.NewRequest(http.MethodPost, delivery.PathWebhooks, bytes.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		req.Header.Set(delivery.HeaderEvent, event)
		req.Header.Set(delivery.HeaderDelivery, id)
		req.Header.Set(delivery.HeaderSignature, signature)
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
