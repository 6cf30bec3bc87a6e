package delivery

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestIntakePriorityHoldsJobsWhileTheIntakeIsBehind(t *testing.T) {
	p := newIntakePriority()
	for range intakeBacklog {
		p.begin()
	}
	if err := p.wait(context.Background()); err != nil {
		t.Fatalf("a job waited with %d deliveries in the intake: %v", intakeBacklog, err)
	}
	p.begin() // one over: the intake is behind
	released := make(chan error, 1)
	go func() { released <- p.wait(context.Background()) }()
	select {
	case err := <-released:
		t.Fatalf("a job started while the intake was behind (%v)", err)
	case <-time.After(50 * time.Millisecond):
	}
	p.end()
	select {
	case err := <-released:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the job was not released once the intake caught up")
	}

	p.begin()
	ctx, cancel := context.WithCancel(context.Background())
	go func() { released <- p.wait(ctx) }()
	cancel()
	select {
	case err := <-released:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("wait after cancel: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a cancelled job kept waiting")
	}
}
