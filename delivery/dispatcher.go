package delivery

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
)

// Dispatcher routes a delivery to every Handler that handles its event type.
// Handlers of one event run in registration order; each must be idempotent,
// since a failure of one makes the whole delivery retry.
type Dispatcher struct {
	byEvent map[string][]Handler
	log     *slog.Logger
}

// NewDispatcher registers handlers by the event types they name.
func NewDispatcher(log *slog.Logger, handlers ...Handler) *Dispatcher {
	d := &Dispatcher{byEvent: map[string][]Handler{}, log: log}
	for _, h := range handlers {
		for _, event := range h.Handles() {
			d.byEvent[event] = append(d.byEvent[event], h)
		}
	}
	return d
}

// Handles reports whether some handler takes the event type: deliveries of
// other types are acknowledged and dropped.
func (d *Dispatcher) Handles(eventType string) bool { return len(d.byEvent[eventType]) > 0 }

// Events returns the handled event types, sorted.
func (d *Dispatcher) Events() []string {
	events := make([]string, 0, len(d.byEvent))
	for e := range d.byEvent {
		events = append(events, e)
	}
	sort.Strings(events)
	return events
}

// Dispatch runs the event's handlers. When some fail, it returns the
// retryable errors joined (the delivery is retried) or, when every failure is
// Permanent, a Permanent error (it is not).
func (d *Dispatcher) Dispatch(ctx context.Context, eventType, deliveryID string, payload []byte) error {
	var retryable, permanent []error
	for i, h := range d.byEvent[eventType] {
		err := h.Handle(ctx, eventType, deliveryID, payload)
		if err == nil {
			continue
		}
		err = fmt.Errorf("handler %d (%T) of %s delivery %s: %w", i, h, eventType, deliveryID, err)
		if IsPermanent(err) {
			permanent = append(permanent, err)
		} else {
			retryable = append(retryable, err)
		}
	}
	if len(retryable) > 0 {
		for _, err := range permanent {
			d.log.ErrorContext(ctx, "permanent handler failure", "delivery", deliveryID, "event", eventType, "err", err)
		}
		return errors.Join(retryable...)
	}
	if len(permanent) > 0 {
		return Permanent(errors.Join(permanent...))
	}
	return nil
}
