package delivery_test

import (
	"fmt"
	"net/http"
	"os"
	"sync"
	"testing"

	"github.com/commit-labeler/commit-labeler/delivery"
	"github.com/commit-labeler/commit-labeler/internal/pgtest"
	"github.com/commit-labeler/commit-labeler/store"
)

// TestMain stops the package's PostgreSQL cluster after the tests.
func TestMain(m *testing.M) {
	code := m.Run()
	if err := pgtest.StopShared(); err != nil {
		fmt.Fprintln(os.Stderr, "delivery tests:", err)
	}
	os.Exit(code)
}

// TestReplicasHandleEachDeliveryOnce runs three bots on one PostgreSQL
// database and spreads deliveries over them, a tenth of them sent to two
// bots at once (GitHub's redelivery racing the original): every delivery
// is stored once and handled once, by whichever bot took its job.
func TestReplicasHandleEachDeliveryOnce(t *testing.T) {
	source := pgtest.NewDatabase(t)
	h := newRecorder("push")
	bots := make([]*testBot, 3)
	for i := range bots {
		bots[i] = startBot(t, source, []delivery.Handler{h}, delivery.WithWorkers(4))
	}
	const n = 200
	var wg sync.WaitGroup
	statuses := make(chan int, 2*n)
	for i := range n {
		id := fmt.Sprintf("guid-%d", i)
		targets := []*testBot{bots[i%len(bots)]}
		if i%10 == 0 {
			targets = append(targets, bots[(i+1)%len(bots)])
		}
		for _, b := range targets {
			wg.Go(func() {
				status, _ := b.post(t, "push", id, []byte(`{"ref":"refs/heads/main"}`))
				statuses <- status
			})
		}
	}
	wg.Wait()
	close(statuses)
	for s := range statuses {
		if s != http.StatusAccepted && s != http.StatusOK {
			t.Fatalf("a replica answered %d", s)
		}
	}
	h.waitCalls(t, n)
	for i := range n {
		id := fmt.Sprintf("guid-%d", i)
		bots[0].waitStatus(t, id, store.DeliveryDone)
		if c := h.count(id); c != 1 {
			t.Errorf("%s handled %d times", id, c)
		}
	}
	if total := h.total(); total != n {
		t.Errorf("%d handler calls for %d deliveries", total, n)
	}
}
