// Package ghexamples reads GitHub's own webhook payload examples, the file
// api.github.com/index.json of the npm package @octokit/webhooks-examples,
// which scripts/fetch-github-descriptions.sh caches outside the clone.
package ghexamples

import (
	"encoding/json"
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/commit-labeler/commit-labeler/internal/ghspec"
)

// Path is where the examples are: $WEBHOOK_EXAMPLES, else the script's cache path.
func Path() string {
	if p := os.Getenv("WEBHOOK_EXAMPLES"); p != "" {
		return p
	}
	return ghspec.Path(ghspec.WebhookExamples)
}

var (
	once    sync.Once
	byEvent map[string][]json.RawMessage
	loadErr error
)

// Load returns the example payloads by event name (X-GitHub-Event), skipping
// the test with a message naming the script when the file is absent.
func Load(t testing.TB) map[string][]json.RawMessage {
	t.Helper()
	examples, err := Read()
	if os.IsNotExist(err) {
		t.Skipf("webhook examples absent (%v): run scripts/fetch-github-descriptions.sh or set WEBHOOK_EXAMPLES", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	return examples
}

// Largest returns the largest example payload of event, skipping tb when
// the examples are not fetched.
func Largest(tb testing.TB, event string) []byte {
	tb.Helper()
	if _, err := os.Stat(Path()); err != nil {
		tb.Skip("GitHub's webhook examples are not fetched: run scripts/fetch-github-descriptions.sh")
	}
	var payload []byte
	for _, ex := range Load(tb)[event] {
		if len(ex) > len(payload) {
			payload = []byte(ex)
		}
	}
	return payload
}

// Read returns the example payloads by event name (X-GitHub-Event), read
// once; an absent file is an error satisfying os.IsNotExist.
func Read() (map[string][]json.RawMessage, error) {
	once.Do(func() {
		var raw []byte
		raw, loadErr = os.ReadFile(Path())
		if loadErr != nil {
			return
		}
		var index []struct {
			Name     string            `json:"name"`
			Examples []json.RawMessage `json:"examples"`
		}
		if err := json.Unmarshal(raw, &index); err != nil {
			loadErr = fmt.Errorf("webhook examples %s: %w", Path(), err)
			return
		}
		byEvent = make(map[string][]json.RawMessage, len(index))
		for _, e := range index {
			byEvent[e.Name] = e.Examples
		}
	})
	return byEvent, loadErr
}
