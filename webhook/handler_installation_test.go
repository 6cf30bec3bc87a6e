package webhook

import (
	"context"
	"slices"
	"testing"

	"github.com/commit-labeler/commit-labeler/delivery"
)

func TestInstallationEventsKeepTheStore(t *testing.T) {
	f := newBotFixture(t)
	ctx := context.Background()
	repos := func() []string {
		rs, err := f.db.InstallationRepositories(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range rs {
			out = append(out, r.FullName)
		}
		return out
	}
	steps := []struct {
		event, action string
		want          []string
	}{
		{"installation", "created", []string{"Codertocat/Hello-World"}},
		{"installation_repositories", "added", []string{"Codertocat/Hello-World", "Codertocat/Space"}},
		{"installation_repositories", "removed", []string{"Codertocat/Space"}},
		{"installation", "suspend", []string{"Codertocat/Space"}},
		{"installation", "deleted", nil},
	}
	for _, s := range steps {
		// Every example is moved to one installation; the removal example's
		// repository belongs to another account, so it names ours instead.
		payload := example(t, s.event, s.action, nil, func(m map[string]any) {
			if removed, _ := m["repositories_removed"].([]any); len(removed) > 0 {
				removed[0].(map[string]any)["full_name"] = "Codertocat/Hello-World"
			}
		})
		f.mustDeliver(s.event, payload)
		if got := repos(); !slices.Equal(got, s.want) {
			t.Fatalf("after %s %s: repositories %v, want %v", s.event, s.action, got, s.want)
		}
		if s.action == "suspend" {
			var suspended bool
			f.db.SQL().QueryRowContext(ctx, `SELECT suspended FROM installations WHERE id = ?`, exInstID).Scan(&suspended)
			if !suspended {
				t.Errorf("installation not suspended after suspend")
			}
		}
	}
	// Not GitHub's: deliverRun skips the schema check.
	if err := f.deliverRun("installation", []byte(`{"action":"created"}`), delivery.Run{ID: "delivery-installation", Attempt: 1}); !delivery.IsPermanent(err) {
		t.Errorf("payload without installation: err = %v, want a permanent error", err)
	}
}
