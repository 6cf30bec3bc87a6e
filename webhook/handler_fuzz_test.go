package webhook

import (
	"net/url"
	"slices"
	"testing"

	"github.com/commit-labeler/commit-labeler/delivery"
	"github.com/commit-labeler/commit-labeler/internal/ghexamples"
)

// FuzzHandlers gives the real event handlers random payloads of each event
// type they handle, as the intake would store them, against a fake GitHub:
// a handler may refuse a payload (a permanent error for the queue) but
// never panics.
func FuzzHandlers(f *testing.F) {
	fx := newBotFixture(f)
	events := []string{"pull_request", "push", "installation", "installation_repositories"}
	for _, event := range events {
		for _, raw := range ghexamples.Load(f)[event] {
			f.Add(event, []byte(raw))
		}
	}
	f.Add("pull_request", []byte(`{"action":"opened","number":2,"pull_request":null,"repository":{"name":"r","owner":{"login":"o"}},"installation":{"id":1}}`))
	f.Add("pull_request", []byte(`{"action":"labeled","number":2,"pull_request":5,"label":{"name":"type: fix"},"repository":{"name":"Hello-World","owner":{"login":"Codertocat"}},"installation":{"id":1},"sender":{"type":"User"}}`))
	f.Add("push", []byte(`{"ref":"refs/heads/master","after":"abc","commits":[{"id":"abc","message":"`+url.QueryEscape("feat: ü\x00")+`"}],"repository":{"name":"Hello-World","owner":{"login":"Codertocat"}},"installation":{"id":1}}`))
	f.Fuzz(func(t *testing.T, event string, payload []byte) {
		if slices.Contains(events, event) {
			handle(fx.handlers, event, payload, delivery.Run{ID: "fuzz", Attempt: 1})
		}
	})
}
