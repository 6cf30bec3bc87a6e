package delivery

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/commit-labeler/commit-labeler/internal/ghexamples"
	"github.com/commit-labeler/commit-labeler/store"
)

// BenchmarkCommitBatch is the intake's single writer: batches of signed,
// parsed and packed pull_request deliveries (GitHub's own example) stored
// with their jobs in one durable transaction each. Every delivery waits
// for this writer, so its CPU per delivery (the process's user+system time,
// which the fsync's wait does not count) bounds the intake's rate, and its
// time per batch is what a delivery arriving during a commit waits.
func BenchmarkCommitBatch(b *testing.B) {
	payload := ghexamples.Load(b)["pull_request"][0]
	for _, size := range []int{1, 4, 32} {
		b.Run(fmt.Sprintf("batch=%d", size), func(b *testing.B) {
			ctx := context.Background()
			db, err := store.Open(ctx, filepath.Join(b.TempDir(), "bot.db"))
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			s, err := NewServer(ctx, db, []byte("secret"), NewDispatcher(slog.New(slog.DiscardHandler)), WithLogger(slog.New(slog.DiscardHandler)))
			if err != nil {
				b.Fatal(err)
			}
			defer s.Stop(ctx)
			var d store.Delivery
			if err := ParsePayload(payload, contentJSON, &d); err != nil {
				b.Fatal(err)
			}
			d.Event = "pull_request"
			d.Pack() // on the request's goroutine, not the writer's
			n := 0
			cpu0 := processCPU()
			for b.Loop() {
				batch := make([]*pendingDelivery, size)
				for i := range batch {
					n++
					p := &pendingDelivery{d: d, done: make(chan struct{})}
					p.d.ID = fmt.Sprintf("guid-%d", n)
					batch[i] = p
				}
				conn, release, err := db.DurableConn(ctx)
				if err != nil {
					b.Fatal(err)
				}
				s.committer.commit(ctx, conn, batch)
				release()
				for _, p := range batch {
					if p.err != nil || !p.fresh {
						b.Fatalf("fresh %v, err %v", p.fresh, p.err)
					}
				}
			}
			b.ReportMetric(float64((processCPU()-cpu0).Microseconds())/float64(n), "cpu-µs/delivery")
		})
	}
}

// processCPU is the process's user and system CPU time so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
