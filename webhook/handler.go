// Package webhook receives GitHub webhook deliveries (HTTP intake, durable
// write, the River job, the dispatcher, redelivery of missed deliveries)
// and handles them: its event handlers, each built from the parts it uses
// (NewHandlers, NewAction), label pull requests, create the check runs
// that explain the labels (their prose is package checkrun's), record
// maintainers' corrections and keep the App's installations. GitHub
// clients come from package ghapp.
package webhook

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
