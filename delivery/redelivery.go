package delivery

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/go-github/v93/github"

	"github.com/commit-labeler/commit-labeler/ghapp"
	"github.com/commit-labeler/commit-labeler/store"
)

// DefaultRedeliveryWindow is how far back Redeliverer looks: GitHub keeps
// an App's delivery log for 3 days.
const DefaultRedeliveryWindow = 24 * time.Hour

// Redeliverer asks GitHub to redeliver what the bot missed while it was
// down or unreachable: the failed deliveries of handled events whose GUID
// was never stored and that no attempt delivered.
type Redeliverer struct {
	// App is a client authenticated as the App (ghapp.Clients.App()).
	App *github.Client
	// DB is the store of received deliveries.
	DB *store.DB
	// Handles filters the event types worth redelivering (Dispatcher.Handles).
	Handles func(eventType string) bool
	// Window is the look-back period; DefaultRedeliveryWindow when zero.
	Window time.Duration
	// Metrics, when set, counts the redeliveries requested.
	Metrics *Metrics
	// Log is the logger; slog.Default() when nil.
	Log *slog.Logger
}

// RedeliverMissed lists the App's deliveries of the window (newest first,
// following the cursor pages, at most ghapp.MaxHookDeliveries) and requests one redelivery of the latest
// attempt of each missed GUID. It returns how many it requested.
func (r *Redeliverer) RedeliverMissed(ctx context.Context) (int, error) {
	window := r.Window
	if window <= 0 {
		window = DefaultRedeliveryWindow
	}
	since := time.Now().Add(-window)
	latest := map[string]*github.HookDelivery{} // GUID → its newest attempt, while none succeeded
	delivered := map[string]bool{}
	var guids []string
	list := ghapp.List{Name: "webhook deliveries of the App", Cap: ghapp.MaxHookDeliveries}
	pages := func(p ghapp.Page) ([]*github.HookDelivery, *github.Response, error) {
		return r.App.Apps.ListHookDeliveries(ctx, &github.ListCursorOptions{Cursor: p.Cursor, PerPage: ghapp.PageSize})
	}
	for d, err := range ghapp.ReadList(ctx, r.log(), list, pages) {
		if err != nil {
			return 0, fmt.Errorf("delivery: list App deliveries: %w", err)
		}
		if d.GetDeliveredAt().Before(since) {
			break
		}
		guid := d.GetGUID()
		if guid == "" || !r.Handles(d.GetEvent()) {
			continue
		}
		if code := d.GetStatusCode(); code >= 200 && code < 300 {
			delivered[guid] = true
		}
		if _, seen := latest[guid]; !seen {
			latest[guid] = d
			guids = append(guids, guid)
		}
	}
	known, err := r.DB.KnownDeliveries(ctx, guids)
	if err != nil {
		return 0, err
	}
	requested := 0
	for _, guid := range guids {
		if known[guid] || delivered[guid] {
			continue
		}
		d := latest[guid]
		// GitHub answers 202 Accepted, which go-github returns as an AcceptedError.
		if _, _, err := r.App.Apps.RedeliverHookDelivery(ctx, d.GetID()); err != nil && !errors.As(err, new(*github.AcceptedError)) {
			return requested, fmt.Errorf("delivery: redeliver %s delivery %s (attempt %d): %w", d.GetEvent(), guid, d.GetID(), err)
		}
		requested++
		if r.Metrics != nil {
			r.Metrics.redelivery.Inc()
		}
		r.log().InfoContext(ctx, "redelivery requested", "delivery", guid, "event", d.GetEvent(), "attempt", d.GetID())
	}
	return requested, nil
}

// Run calls RedeliverMissed now and then every interval until ctx ends,
// logging failures (the next round retries them).
func (r *Redeliverer) Run(ctx context.Context, interval time.Duration) {
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		if _, err := r.RedeliverMissed(ctx); err != nil && ctx.Err() == nil {
			r.log().WarnContext(ctx, "missed deliveries not redelivered", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}

func (r *Redeliverer) log() *slog.Logger {
	if r.Log == nil {
		return slog.Default()
	}
	return r.Log
}
