package classify

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
)

// parallelFor calls fn(i) for i in [0, n) on GOMAXPROCS goroutines.
func parallelFor(n int, fn func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), max(n, 1))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < n; i += workers {
				fn(i)
			}
		})
	}
	wg.Wait()
}

// parallelBatches calls fn on the batches [start, end) of at most size of
// [0, n), on GOMAXPROCS goroutines: a model session runs each call on one
// thread (WithIntraOpThreads), so batches in parallel use every core. It
// returns the error of the earliest failed batch; no batch starts after a
// failure or once ctx is done.
func parallelBatches(ctx context.Context, n, size int, fn func(start, end int) error) error {
	batches := (n + size - 1) / size
	errs := make([]error, batches)
	var next atomic.Int64
	var failed atomic.Bool
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), batches) {
		wg.Go(func() {
			for {
				b := int(next.Add(1) - 1)
				if b >= batches || failed.Load() {
					return
				}
				if errs[b] = ctx.Err(); errs[b] == nil {
					errs[b] = fn(b*size, min((b+1)*size, n))
				}
				if errs[b] != nil {
					failed.Store(true)
				}
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// minVectorPart is the least length of vector each core takes in the
// optimiser's vector operations: shorter vectors take one core, as
// starting goroutines would cost more than it saves.
const minVectorPart = 1 << 15

// vectorParts is how many parts inParts splits a vector of n elements
// into: one per core, each at least minVectorPart long.
func vectorParts(n int) int {
	return max(1, min(runtime.GOMAXPROCS(0), n/minVectorPart))
}

// inParts splits [0, n) into parts contiguous ranges and calls fn on each,
// concurrently when there are several. The optimiser's vectors (a weight
// per label and index: over a million) are read several times an
// iteration, as often as the examples are, so they take every core too.
func inParts(n, parts int, fn func(part, lo, hi int)) {
	if parts <= 1 {
		fn(0, 0, n)
		return
	}
	var wg sync.WaitGroup
	for p := range parts {
		wg.Go(func() { fn(p, p*n/parts, (p+1)*n/parts) })
	}
	wg.Wait()
}
