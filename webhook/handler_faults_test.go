package webhook

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/commit-labeler/commit-labeler/checkrun"
	"github.com/commit-labeler/commit-labeler/ghapp"
	"github.com/commit-labeler/commit-labeler/internal/fakegithub"
)

// TestFaultsLabelsAreEventuallyApplied fails 30% of GitHub's answers (502,
// 429 with Retry-After, 403 secondary rate limit): the bot still applies
// every label, and sends no request before a Retry-After it was given.
func TestFaultsLabelsAreEventuallyApplied(t *testing.T) {
	// Seed 7 fails six calls in a row early on: ten attempts ride it out.
	f := newBotFixture(t, func(c *HandlersConfig) { c.Transport = append(c.Transport, ghapp.WithAttempts(10)) })
	f.repos.SetFaults(fakegithub.NewFaults(0.3, 7, time.Second))
	f.mustDeliver("pull_request", f.pullExample("opened", "feat(i18n): add a French README", human, nil))
	f.mustDeliver("push", pushExample(t, 3, nil))

	if got, want := f.labels(), []string{"type: feat", "type: i18n"}; !slices.Equal(got, want) {
		t.Fatalf("labels = %v, want %v", got, want)
	}
	if n := len(f.checkRuns(checkrun.PullName)) + len(f.checkRuns(checkrun.PushName)); n != 2 {
		t.Errorf("%d check runs, want 2", n)
	}
	calls := f.repos.Calls()
	statuses := map[int]int{}
	for _, c := range calls {
		statuses[c.Status]++
	}
	early, _ := fakegithub.EarlyCalls(calls, 0)
	for _, e := range early {
		t.Errorf("%s %s at %s, before the Retry-After (%s) of the %d answer at %s",
			e.Method, e.Path, e.Time.Format(time.StampMilli), e.Ignored.RetryAfter,
			e.Ignored.Status, e.Ignored.Answered.Format(time.StampMilli))
	}
	for _, s := range []int{http.StatusBadGateway, http.StatusTooManyRequests, http.StatusForbidden} {
		if statuses[s] == 0 {
			t.Errorf("no %d injected (statuses %v): pick another seed", s, statuses)
		}
	}
	t.Logf("%d calls, statuses %v", len(calls), statuses)
}
