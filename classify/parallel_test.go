package classify

import (
	"context"
	"errors"
	"runtime"
	"slices"
	"sync"
	"testing"
)

func TestParallelBatches(t *testing.T) {
	for _, tc := range []struct{ n, size int }{{0, 4}, {1, 4}, {4, 4}, {10, 3}, {1000, 7}} {
		var mu sync.Mutex
		var got [][2]int
		err := parallelBatches(t.Context(), tc.n, tc.size, func(start, end int) error {
			mu.Lock()
			defer mu.Unlock()
			got = append(got, [2]int{start, end})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		slices.SortFunc(got, func(a, b [2]int) int { return a[0] - b[0] })
		next := 0
		for _, b := range got {
			if b[0] != next || b[1] <= b[0] || b[1]-b[0] > tc.size {
				t.Fatalf("n %d size %d: batches %v", tc.n, tc.size, got)
			}
			next = b[1]
		}
		if next != tc.n {
			t.Fatalf("n %d size %d: batches %v stop at %d", tc.n, tc.size, got, next)
		}
	}
}

func TestParallelBatchesStopsAtTheFirstError(t *testing.T) {
	failAt := errors.New("batch 3 failed")
	var mu sync.Mutex
	ran := 0
	err := parallelBatches(t.Context(), 1000, 1, func(start, _ int) error {
		mu.Lock()
		ran++
		mu.Unlock()
		if start >= 3 {
			return failAt
		}
		return nil
	})
	if !errors.Is(err, failAt) {
		t.Fatalf("error %v, want %v", err, failAt)
	}
	// Each worker stops after its first failed batch.
	if workers := runtime.GOMAXPROCS(0); ran > 3+workers {
		t.Errorf("%d batches ran with %d workers and every batch from the fourth failing", ran, workers)
	}

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := parallelBatches(ctx, 10, 1, func(int, int) error { t.Error("a batch ran after the context ended"); return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: error %v", err)
	}
}
