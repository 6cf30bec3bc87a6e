package webhook

import (
	"testing"

	"github.com/commit-labeler/commit-labeler/checkrun"
	"github.com/commit-labeler/commit-labeler/delivery"
)

func TestCheckRunCreatedOncePerDelivery(t *testing.T) {
	f := newBotFixture(t)
	payload := f.pullExample("opened", "fix: close the file", human, nil)
	for _, step := range []struct {
		run  delivery.Run
		want int
	}{
		{delivery.Run{ID: "d1", Attempt: 1}, 1},
		// The job rerun after a crash that followed the check run.
		{delivery.Run{ID: "d1", Attempt: 2}, 1},
		{delivery.Run{ID: "d1", Attempt: 3}, 1},
		// GitHub redelivered the event under a new id: a new explanation.
		{delivery.Run{ID: "d2", Attempt: 1}, 2},
	} {
		if err := f.deliverRun("pull_request", payload, step.run); err != nil {
			t.Fatalf("%+v: %v", step.run, err)
		}
		runs := f.checkRuns(checkrun.PullName)
		if len(runs) != step.want {
			t.Fatalf("after %+v: %d check runs, want %d", step.run, len(runs), step.want)
		}
		if got := runs[len(runs)-1].GetExternalID(); got != step.run.ID {
			t.Errorf("after %+v: external_id %q, want the delivery id", step.run, got)
		}
	}
}
