package loadgen

import (
	"encoding/json"
	"errors"
	"io/fs"
	"testing"

	"github.com/google/go-github/v93/github"

	"github.com/commit-labeler/commit-labeler/internal/ghexamples"
)

// newTestDeliveries reads GitHub's examples, skipping without them.
func newTestDeliveries(t testing.TB) *Deliveries {
	t.Helper()
	ds, err := NewDeliveries()
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("webhook examples absent (%v): run scripts/fetch-github-descriptions.sh", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// TestDeliveriesAreEachTheirOwnPullRequest checks each delivery names its
// own pull request, title and head commit, as GitHub's schema allows.
func TestDeliveriesAreEachTheirOwnPullRequest(t *testing.T) {
	ds := newTestDeliveries(t)
	seen := map[string]bool{}
	for i := 1; i <= 20; i++ {
		d := ds.Next("test")
		if seen[d.ID] || d.Number != i {
			t.Fatalf("delivery %d: id %s number %d (ids seen %v)", i, d.ID, d.Number, seen)
		}
		seen[d.ID] = true
		ghexamples.RequireWebhook(t, "pull_request", d.Body)
		var ev github.PullRequestEvent
		if err := json.Unmarshal(d.Body, &ev); err != nil {
			t.Fatalf("delivery %d: %v", i, err)
		}
		if !labeledActions[ev.GetAction()] || ev.GetNumber() != i || ev.GetPullRequest().GetNumber() != i ||
			ev.GetPullRequest().GetTitle() != d.Title || ev.GetInstallation().GetID() != InstallationID ||
			ev.GetPullRequest().GetHead().GetSHA() != HeadSHA(i) {
			t.Errorf("delivery %d: action %s number %d/%d title %q installation %d head %s", i, ev.GetAction(), ev.GetNumber(),
				ev.GetPullRequest().GetNumber(), ev.GetPullRequest().GetTitle(), ev.GetInstallation().GetID(), ev.GetPullRequest().GetHead().GetSHA())
		}
	}
	if ds.Issued() != 20 {
		t.Errorf("Issued() = %d, want 20", ds.Issued())
	}
}
