package delivery

import (
	"context"
	"sync"
)

// intakeBacklog is how many deliveries may be in the intake at once before
// jobs wait: a few is a healthy intake at thousands per second; more is one
// falling behind.
const intakeBacklog = 8

// intakePriority puts the intake before the jobs when both want the CPU.
// GitHub waits 10 s for an answer and does not redeliver by itself, while a
// queued job loses nothing by waiting: so while more than intakeBacklog
// deliveries are in the intake, a job about to start waits until the
// intake catches up. Jobs already running are not interrupted.
type intakePriority struct {
	mu       sync.Mutex
	caughtUp *sync.Cond
	inFlight int
}

func newIntakePriority() *intakePriority {
	p := &intakePriority{}
	p.caughtUp = sync.NewCond(&p.mu)
	return p
}

// begin and end bracket a delivery in the intake.
func (p *intakePriority) begin() {
	p.mu.Lock()
	p.inFlight++
	p.mu.Unlock()
}

func (p *intakePriority) end() {
	p.mu.Lock()
	if p.inFlight--; p.inFlight == intakeBacklog {
		p.caughtUp.Broadcast()
	}
	p.mu.Unlock()
}

// wait returns once the intake holds at most intakeBacklog deliveries, or
// when ctx ends (with its error). A request in the intake always ends (the
// server's timeouts), so a waiting job is always woken.
func (p *intakePriority) wait(ctx context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.inFlight <= intakeBacklog {
		return nil
	}
	stop := context.AfterFunc(ctx, func() {
		p.mu.Lock()
		p.caughtUp.Broadcast()
		p.mu.Unlock()
	})
	defer stop()
	for p.inFlight > intakeBacklog && ctx.Err() == nil {
		p.caughtUp.Wait()
	}
	return ctx.Err()
}
