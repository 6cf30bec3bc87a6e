// Package deliveryjob is the "handle a delivery" job: what the bot's
// intake enqueues for each stored webhook delivery and what the bots work,
// through River on the database they share. A learning worker, which
// shares that database but handles no delivery, registers it (Foreign) so
// that River's rescuer knows its timeout whichever client leads.
package deliveryjob

import (
	"context"
	"errors"
	"time"

	"github.com/riverqueue/river"
)

// Kind is the River job kind of a stored delivery.
const Kind = "github_delivery"

// Args is the job of one stored delivery: the payload stays in the
// deliveries table, the job only points at it.
type Args struct {
	DeliveryID string `json:"delivery_id"`
	Event      string `json:"event"`
}

// Kind implements river.JobArgs.
func (Args) Kind() string { return Kind }

// Timeout bounds one attempt of a delivery's handlers.
const Timeout = 5 * time.Minute

// RegisterForeign registers delivery jobs with the River workers of a
// client that does not handle them (the learning worker's): River's
// rescuer, on whichever client leads, discards a stuck job whose kind its
// client has no worker for, and asks the worker for its timeout. The
// worker never runs: only bots work the default queue.
func RegisterForeign(workers *river.Workers) {
	river.AddWorker(workers, foreign{})
}

// foreign is the delivery worker of RegisterForeign.
type foreign struct {
	river.WorkerDefaults[Args]
}

// Timeout implements river.Worker.
func (foreign) Timeout(*river.Job[Args]) time.Duration { return Timeout }

// Work implements river.Worker; it is never called.
func (foreign) Work(context.Context, *river.Job[Args]) error {
	return errors.New("deliveryjob: deliveries are handled by bot, not by this process")
}
