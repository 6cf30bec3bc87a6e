package ghexamples_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/commit-labeler/commit-labeler/internal/ghexamples"
	"github.com/commit-labeler/commit-labeler/internal/ghspec"
)

// TestGitHubsExamplesMeetItsSchemas: the check accepts every example of
// the events the bot handles, as GitHub sent them.
func TestGitHubsExamplesMeetItsSchemas(t *testing.T) {
	ghspec.Require(t, ghspec.WebhookSchema)
	examples := ghexamples.Load(t)
	for _, event := range []string{"pull_request", "push", "installation", "installation_repositories"} {
		if len(examples[event]) == 0 {
			t.Fatalf("no examples of %s", event)
		}
		for i, p := range examples[event] {
			if err := ghexamples.CheckWebhook(event, p); err != nil {
				t.Errorf("%s example %d: %v", event, i, err)
			}
		}
	}
}

// TestCheckWebhookRefusesWhatGitHubNeverSends names the definition and
// the member of a payload GitHub's schemas refuse.
func TestCheckWebhookRefusesWhatGitHubNeverSends(t *testing.T) {
	ghspec.Require(t, ghspec.WebhookSchema)
	opened := string(exampleOf(t, "pull_request", "opened"))
	tests := []struct {
		name, event, payload string
		want                 []string
	}{
		{"number as a string", "pull_request", strings.Replace(opened, `"number":2,`, `"number":"2",`, 1),
			[]string{"pull_request$opened", "/number"}},
		{"no pull request", "pull_request", `{"action":"opened","number":2}`,
			[]string{"pull_request$opened", `no "pull_request"`}},
		{"draft as a string", "pull_request", strings.Replace(opened, `"draft":false`, `"draft":"no"`, 1),
			[]string{"/pull_request/draft"}},
		{"no such event", "pull_requests", `{"action":"opened"}`,
			[]string{`no "pull_requests" event`}},
		{"not JSON", "push", `{"ref":`, []string{"push payload"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ghexamples.CheckWebhook(tt.event, []byte(tt.payload))
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%v: does not name %q", err, w)
				}
			}
		})
	}
}

func exampleOf(t *testing.T, event, action string) []byte {
	for _, p := range ghexamples.Load(t)[event] {
		var compact bytes.Buffer
		json.Compact(&compact, p)
		if strings.Contains(compact.String(), `"action":"`+action+`"`) {
			return compact.Bytes()
		}
	}
	t.Fatalf("no %s %s example", event, action)
	return nil
}
