// Package delivery receives GitHub's webhook deliveries: the HTTP intake
// checks each signature and writes the deliveries durably in batches, a
// River job per delivery runs the Dispatcher, which hands it to the
// Handlers it was given, failed deliveries are asked of GitHub again
// (Redeliverer), and Metrics counts all of it. It knows no event's meaning:
// the handlers are package webhook's, and the learn jobs the handlers ask
// for go into the same database through LearnQueue.
package delivery

import (
	"context"
	"errors"
)

// Handler handles the webhook events it names (palantir/go-githubapp style).
type Handler interface {
	// Handles lists the event types (X-GitHub-Event values) the handler takes.
	Handles() []string
	// Handle processes one delivery; an error makes the job retry unless it is Permanent.
	Handle(ctx context.Context, eventType, deliveryID string, payload []byte) error
}

// permanentError marks an error that retrying cannot fix.
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// Permanent marks err as not worth retrying (a malformed payload, a missing
// installation). Permanent(nil) is nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err: err}
}

// IsPermanent reports whether err, or an error it wraps, was marked Permanent.
func IsPermanent(err error) bool {
	var p *permanentError
	return errors.As(err, &p)
}
