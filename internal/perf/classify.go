package perf

import (
	"bufio"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/commit-labeler/commit-labeler/classify"
	"github.com/commit-labeler/commit-labeler/pipeline"
)

// BatchSize is the batch of the batched classification measurement.
const BatchSize = 256

// Latencies classifies one commit at a time on the calling goroutine,
// cycling through commits for as long as more says so (a benchmark's
// b.Loop, or For), and returns each call's latency, sorted.
func Latencies(ctx context.Context, c *classify.Classifier, commits []classify.Commit, more func() bool) ([]time.Duration, error) {
	var lat []time.Duration
	for i := 0; more(); i++ {
		j := i % len(commits)
		start := time.Now()
		if _, err := c.Classify(ctx, commits[j:j+1]); err != nil {
			return nil, err
		}
		lat = append(lat, time.Since(start))
	}
	slices.Sort(lat)
	return lat, nil
}

// Percentile returns the p-th percentile (0–100) of sorted latencies.
func Percentile(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[min(len(sorted)-1, len(sorted)*p/100)]
}

// Batched classifies batches of BatchSize commits (cycling through commits)
// on the calling goroutine for as long as more says so and returns the
// commits classified per second.
func Batched(ctx context.Context, c *classify.Classifier, commits []classify.Commit, more func() bool) (float64, error) {
	batch := make([]classify.Commit, BatchSize)
	for i := range batch {
		batch[i] = commits[i%len(commits)]
	}
	start := time.Now()
	n := 0
	for more() {
		if _, err := c.Classify(ctx, batch); err != nil {
			return 0, err
		}
		n += len(batch)
	}
	return float64(n) / time.Since(start).Seconds(), nil
}

// For returns a loop condition that holds for d from its first call, and
// at least once.
func For(d time.Duration) func() bool {
	var end time.Time
	return func() bool {
		if end.IsZero() {
			end = time.Now().Add(d)
			return true
		}
		return time.Now().Before(end)
	}
}

// ReadCommits reads the first n commits of a JSONL file (gzip-compressed
// when named .gz) in the format of docs/corpus.md.
func ReadCommits(path string, n int) ([]classify.Commit, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("perf: %w", err)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		if r, err = gzip.NewReader(f); err != nil {
			return nil, fmt.Errorf("perf: %s: %w", path, err)
		}
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	var out []classify.Commit
	for line := 1; len(out) < n && sc.Scan(); line++ {
		c, err := pipeline.DecodeCommit(sc.Bytes())
		if err != nil {
			return nil, fmt.Errorf("perf: %s line %d: %w", path, line, err)
		}
		out = append(out, c)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("perf: %s: %w", path, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("perf: %s holds no commit", path)
	}
	return out, nil
}
