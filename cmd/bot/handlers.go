package main

import (
	"log/slog"

	"github.com/commit-labeler/commit-labeler/ghapp"
	"github.com/commit-labeler/commit-labeler/store"
	"github.com/commit-labeler/commit-labeler/webhook"
)

// handlerDeps are what the event handlers are built from.
type handlerDeps struct {
	Clients *ghapp.Clients
	DB      *store.DB
	Metrics *webhook.Metrics
	Log     *slog.Logger
	// ModelDir is --model: empty for the Conventional-title rule alone.
	ModelDir string
	// DryRun is --dry-run: compute labels, change nothing on GitHub.
	DryRun bool
}

// newHandlers builds the bot's event handlers (pull_request, push,
// installation...). The event handling code sets it; without handlers the
// bot acknowledges every delivery and stores none.
var newHandlers = func(handlerDeps) ([]webhook.Handler, error) { return nil, nil }
