package delivery_test

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/commit-labeler/commit-labeler/delivery"
	"github.com/commit-labeler/commit-labeler/ghapp"
	"github.com/commit-labeler/commit-labeler/internal/fakegithub"
)

// TestRedeliverMissed lists a delivery log over several cursor pages and
// checks redelivery is asked exactly for the failed GUIDs never received.
func TestRedeliverMissed(t *testing.T) {
	bot := startBot(t, "", []delivery.Handler{newRecorder(botEvents...)})
	bot.post(t, "pull_request", "received-but-logged-failed", []byte(`{"action":"opened"}`))

	now := time.Now()
	ago := func(m int) time.Time { return now.Add(-time.Duration(m) * time.Minute) }
	d := fakegithub.NewHookDelivery
	fake := fakegithub.New(t, fakegithub.WithMaxPerPage(3))
	log := fakegithub.ServeHookDeliveries(fake,
		d(1, "ok", "pull_request", "opened", ago(1), 202, false),                              // received
		d(2, "failed-once", "pull_request", "opened", ago(2), 0, false),                       // missed: redeliver 2
		d(3, "failed-twice", "push", "", ago(30), 500, false),                                 // missed, and its
		d(4, "failed-twice", "push", "", ago(20), 0, true),                                    // redelivery failed: redeliver 4
		d(5, "failed-then-redelivered", "installation", "created", ago(40), 0, false),         // failed,
		d(6, "failed-then-redelivered", "installation", "created", ago(35), 202, true),        // then delivered
		d(7, "received-but-logged-failed", "pull_request", "opened", ago(3), 0, false),        // GitHub timed out, but the bot stored it
		d(8, "unhandled", "star", "created", ago(4), 0, false),                                // an event no handler takes
		d(9, "too-old", "pull_request", "closed", ago(60*25), 0, false),                       // outside the window
		d(10, "failed-repo-event", "installation_repositories", "added", ago(50), 404, false), // missed: redeliver 10
		d(11, "ok-2", "push", "", ago(51), 200, false),
	)
	clients, err := ghapp.New(ghapp.Config{AppID: fake.AppID(), PrivateKey: fake.PrivateKeyPEM(), APIURL: fake.URL})
	if err != nil {
		t.Fatal(err)
	}
	r := &delivery.Redeliverer{App: clients.App(), DB: bot.db, Handles: delivery.NewDispatcher(quietLog(), newRecorder(botEvents...)).Handles, Log: quietLog()}
	n, err := r.RedeliverMissed(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := log.Redelivered(), []int64{2, 4, 10}; n != 3 || !slices.Equal(got, want) {
		t.Fatalf("redelivered %v (n=%d), want %v", got, n, want)
	}
	// The redeliveries GitHub logged as accepted are not asked again.
	if n, err := r.RedeliverMissed(t.Context()); err != nil || n != 0 {
		t.Fatalf("second round: %d, %v", n, err)
	}
	var pages int
	for _, req := range fake.Requests() {
		if req.Method == http.MethodGet && req.Path == "/app/hook/deliveries" {
			pages++
		}
	}
	if pages < 4 {
		t.Fatalf("%d list requests", pages)
	}
}
