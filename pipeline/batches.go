package pipeline

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
)

// batchFlow moves items through three stages: produce (one goroutine) groups
// them in batches of Size, transform runs on Workers goroutines per batch,
// and write receives every transformed batch in production order, one at a
// time, while the next batch is being transformed. At most about three
// batches are alive at once, so memory stays bounded whatever the input.
type batchFlow[In, Out any] struct {
	Size int
	// Workers transform in parallel; 0 means one per core but one.
	Workers int
	// Transform must be safe for concurrent use.
	Transform func(In) Out
	// Write runs on one goroutine; the phase writes its batch in one transaction.
	Write func([]Out) error
}

// Run feeds the items that produce emits through the flow. emit blocks while
// the stages behind are busy and fails once the flow stops. A write error
// stops the flow at once; an error of produce itself is returned only after
// every batch emitted before it was written, so that what is stored does not
// depend on timing.
func (f batchFlow[In, Out]) Run(parent context.Context, produce func(ctx context.Context, emit func(In) error) error) error {
	ctx, cancel := context.WithCancelCause(parent)
	defer cancel(nil)
	workers := f.Workers
	if workers <= 0 {
		// The writer is the slowest stage: leave it a core of its own.
		workers = max(1, runtime.GOMAXPROCS(0)-1)
	}

	raw := make(chan []In)
	cooked := make(chan []Out)
	var produceErr error
	var wg sync.WaitGroup
	wg.Go(func() {
		defer close(raw)
		batch := make([]In, 0, f.Size)
		send := func() error {
			select {
			case raw <- batch:
				batch = make([]In, 0, f.Size)
				return nil
			case <-ctx.Done():
				return context.Cause(ctx)
			}
		}
		produceErr = produce(ctx, func(item In) error {
			batch = append(batch, item)
			if len(batch) >= f.Size {
				return send()
			}
			return ctx.Err()
		})
		if produceErr == nil && len(batch) > 0 {
			produceErr = send()
		}
	})
	wg.Go(func() {
		defer close(cooked)
		for batch := range raw {
			out := make([]Out, len(batch))
			parallelFor(workers, len(batch), func(i int) { out[i] = f.Transform(batch[i]) })
			select {
			case cooked <- out:
			case <-ctx.Done():
				return
			}
		}
	})

	var writeErr error
	for out := range cooked {
		if writeErr = f.Write(out); writeErr != nil {
			cancel(writeErr)
			break
		}
	}
	cancel(nil) // stops the other stages when the writer left early
	for range cooked {
	}
	wg.Wait()
	if writeErr != nil {
		return writeErr
	}
	if produceErr != nil {
		return produceErr
	}
	return parent.Err()
}

// parallelFor calls fn(i) for every i in [0, n) on up to workers goroutines.
func parallelFor(workers, n int, fn func(i int)) {
	if workers > n {
		workers = n
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				fn(i)
			}
		})
	}
	wg.Wait()
}
