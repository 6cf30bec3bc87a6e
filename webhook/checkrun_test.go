package webhook

import (
	"testing"

	"github.com/commit-labeler/commit-labeler/checkrun"
)

func TestCheckRunCreatedOncePerDelivery(t *testing.T) {
	f := newBotFixture(t)
	payload := f.pullExample("opened", "fix: close the file", human, nil)
	for _, step := range []struct {
		run  deliveryRun
		want int
	}{
		{deliveryRun{id: "d1", attempt: 1}, 1},
		// The job rerun after a crash that followed the check run.
		{deliveryRun{id: "d1", attempt: 2}, 1},
		{deliveryRun{id: "d1", attempt: 3}, 1},
		// GitHub redelivered the event under a new id: a new explanation.
		{deliveryRun{id: "d2", attempt: 1}, 2},
	} {
		if err := f.deliverRun("pull_request", payload, step.run); err != nil {
			t.Fatalf("%+v: %v", step.run, err)
		}
		runs := f.checkRuns(checkrun.PullName)
		if len(runs) != step.want {
			t.Fatalf("after %+v: %d check runs, want %d", step.run, len(runs), step.want)
		}
		if got := runs[len(runs)-1].GetExternalID(); got != step.run.id {
			t.Errorf("after %+v: external_id %q, want the delivery id", step.run, got)
		}
	}
}
