package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/ollama/ollama/api"

	commitlabeler "github.com/commit-labeler/commit-labeler"
	"github.com/commit-labeler/commit-labeler/store"
)

// ollamaLabeler labels the stride sample with an LLM served by Ollama: it
// sends batches of commits, each under a batch-local id, and stores the
// answers matched by id.
type ollamaLabeler struct {
	opts    OllamaOptions
	vocab   *commitlabeler.Vocabulary
	hosts   []ollamaHost
	system  string
	schema  json.RawMessage
	version string

	httpClient     *http.Client
	retry          backoff
	requestTimeout time.Duration
}

// ollamaOption adjusts an ollamaLabeler.
type ollamaOption func(*ollamaLabeler)

// withRetryBackoff sets the retry delays (default 1s doubling up to 30s).
func withRetryBackoff(base, max time.Duration) ollamaOption {
	return func(l *ollamaLabeler) { l.retry = backoff{base: base, max: max} }
}

// withRequestTimeout bounds one chat request (default 10 minutes: a large
// batch on a CPU host is slow, a hung host must not stall a worker forever).
func withRequestTimeout(d time.Duration) ollamaOption {
	return func(l *ollamaLabeler) { l.requestTimeout = d }
}

func newOllamaLabeler(o OllamaOptions, vocab *commitlabeler.Vocabulary, opts ...ollamaOption) (*ollamaLabeler, error) {
	switch {
	case o.Model == "":
		return nil, errors.New("ollama: model is empty")
	case o.BatchSize < 1:
		return nil, fmt.Errorf("ollama: batch size %d: want at least 1", o.BatchSize)
	case o.Concurrency < 1:
		return nil, fmt.Errorf("ollama: concurrency %d: want at least 1 per host", o.Concurrency)
	case o.NumCtx < 1:
		return nil, fmt.Errorf("ollama: num_ctx %d: want at least 1", o.NumCtx)
	case o.MaxRetries < 0:
		return nil, fmt.Errorf("ollama: max retries %d: want 0 or more", o.MaxRetries)
	}
	l := &ollamaLabeler{
		opts:           o,
		vocab:          vocab,
		system:         renderSystem(vocab),
		schema:         answerSchema(vocab),
		httpClient:     &http.Client{},
		retry:          backoff{base: time.Second, max: 30 * time.Second},
		requestTimeout: 10 * time.Minute,
	}
	for _, opt := range opts {
		opt(l)
	}
	hosts, err := newOllamaHosts(o.Hosts, l.httpClient)
	if err != nil {
		return nil, err
	}
	l.hosts = hosts
	l.version = ollamaLabelerVersion(o.Model, l.system, l.schema)
	return l, nil
}

func (*ollamaLabeler) source() string { return store.SourceOllama }

// pendingBatch is a batch of commits under their batch-local ids.
type pendingBatch struct {
	items     []promptItem
	commitIDs map[string]int64 // batch id → commit id
}

// batchOutcome is what one batch produced.
type batchOutcome struct {
	labelings []store.Labeling
	missing   int // ids without a valid answer
	stats     answerStats
	retries   int
	// failure is the last error of a batch given up after all retries.
	failure error
}

// run labels the sampled, non-duplicate commits not yet done by this
// labeler version. Workers (Concurrency per host) label batches; this
// goroutine stores each batch's labelings in its own transaction, so a
// cancelled run keeps whole batches only and a rerun does the rest.
func (l *ollamaLabeler) run(parent context.Context, env *Env, t tally) error {
	env.Log.Info("ollama labeler", "model", l.opts.Model, "version", l.version,
		"hosts", len(l.hosts), "concurrency", l.opts.Concurrency, "batch", l.opts.BatchSize)
	ctx, cancel := context.WithCancel(parent)
	defer cancel()

	batches := make(chan pendingBatch)
	readErr := make(chan error, 1)
	go func() {
		defer close(batches)
		readErr <- l.readBatches(ctx, env.DB, batches)
	}()

	outcomes := make(chan batchOutcome)
	var fatal error
	var fatalOnce sync.Once
	var wg sync.WaitGroup
	for w := range len(l.hosts) * l.opts.Concurrency {
		wg.Go(func() {
			for b := range batches {
				out, err := l.labelBatch(ctx, env, w, b)
				if err != nil {
					fatalOnce.Do(func() { fatal = err; cancel() })
					return
				}
				select {
				case outcomes <- out:
				case <-ctx.Done():
					return
				}
			}
		})
	}
	go func() { wg.Wait(); close(outcomes) }()

	progress := env.Progress("label ollama", -1)
	defer progress.Done()
	var lastFailure, writeErr error
	for out := range outcomes {
		if writeErr != nil {
			continue // drain the workers
		}
		if err := env.DB.PutLabelings(ctx, out.labelings); err != nil {
			writeErr = err
			cancel()
			continue
		}
		t.stored(out.labelings)
		t.add("failed", out.missing)
		t.add("retries", out.retries)
		t.add("unknown_ids", out.stats.UnknownIDs)
		t.add("duplicate_ids", out.stats.DuplicateIDs)
		t.add("invalid_labels", out.stats.InvalidLabels)
		t.add("extra_labels", out.stats.ExtraLabels)
		progress.Add(len(out.labelings) + out.missing)
		if out.failure != nil {
			lastFailure = out.failure
		}
	}
	cancel() // stops the reader if the workers ended first
	rerr := <-readErr
	switch {
	case writeErr != nil:
		return writeErr
	case fatal != nil:
		return fatal
	case rerr != nil && !errors.Is(rerr, context.Canceled):
		return rerr
	case parent.Err() != nil:
		return parent.Err()
	case lastFailure != nil && t.counts[t.source+".labeled"] == 0:
		return fmt.Errorf("every batch failed, last: %w", lastFailure)
	}
	return nil
}

// readBatches streams the commits left to label, grouped in batches.
func (l *ollamaLabeler) readBatches(ctx context.Context, db *store.DB, batches chan<- pendingBatch) error {
	b := pendingBatch{commitIDs: map[string]int64{}}
	send := func() error {
		select {
		case batches <- b:
			b = pendingBatch{commitIDs: map[string]int64{}}
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	filter := store.CommitFilter{SampledOnly: true, SkipDuplicates: true, NotLabeledBy: store.SourceOllama, NotLabeledByVersion: l.version}
	err := db.ForEachCommit(ctx, filter, func(c *store.Commit) error {
		id := batchID(len(b.items))
		b.items = append(b.items, newPromptItem(id, c))
		b.commitIDs[id] = c.ID
		if len(b.items) == l.opts.BatchSize {
			return send()
		}
		return nil
	})
	if err == nil && len(b.items) > 0 {
		err = send()
	}
	if err != nil {
		return fmt.Errorf("read sample: %w", err)
	}
	return nil
}

// labelBatch asks the model about one batch, retrying with backoff and
// moving to the next host on every retry. A batch given up after
// MaxRetries counts as failed; only a non-retryable error (or ctx) stops
// the run.
func (l *ollamaLabeler) labelBatch(ctx context.Context, env *Env, worker int, b pendingBatch) (batchOutcome, error) {
	ids := make(map[string]bool, len(b.items))
	for id := range b.commitIDs {
		ids[id] = true
	}
	req := l.request(b.items)
	var out batchOutcome
	malformed := 0
	for attempt := 0; ; attempt++ {
		host := l.hosts[(worker+attempt)%len(l.hosts)]
		content, err := host.chat(ctx, req, l.requestTimeout)
		if err == nil {
			var answers map[string][]store.CommitLabel
			answers, out.stats, err = parseAnswer(content, ids, l.vocab)
			if err == nil {
				out.labelings, out.missing = l.labelings(b, answers)
				return out, nil
			}
			// Decoding is deterministic for a seed: another seed may give
			// well-formed output, and stays reproducible across runs.
			malformed++
			req.Options["seed"] = l.opts.Seed + malformed
		}
		if ctx.Err() != nil {
			return out, ctx.Err()
		}
		err = fmt.Errorf("ollama host %s, model %s: %w", host.name, l.opts.Model, err)
		if !retryable(err) {
			return out, err
		}
		if attempt == l.opts.MaxRetries {
			env.Log.Warn("ollama batch failed", "commits", len(b.items), "attempts", attempt+1, "err", shortError(err))
			out.missing, out.failure = len(b.items), err
			return out, nil
		}
		env.Log.Warn("ollama request failed, retrying", "host", host.name, "attempt", attempt+1, "err", shortError(err))
		out.retries++
		if err := sleep(ctx, l.retry.delay(attempt)); err != nil {
			return out, err
		}
	}
}

// request builds the chat request of a batch: deterministic decoding
// (temperature 0, fixed seed), an explicit context window and the answer
// schema as format.
func (l *ollamaLabeler) request(items []promptItem) *api.ChatRequest {
	stream := false
	return &api.ChatRequest{
		Model: l.opts.Model,
		Messages: []api.Message{
			{Role: "system", Content: l.system},
			{Role: "user", Content: renderItems(items)},
		},
		Stream: &stream,
		Format: l.schema,
		Options: map[string]any{
			"temperature": 0,
			"seed":        l.opts.Seed,
			"num_ctx":     l.opts.NumCtx,
		},
	}
}

// labelings turns the answers into labelings in batch order; ids without
// an answer are counted missing and left for a later run.
func (l *ollamaLabeler) labelings(b pendingBatch, answers map[string][]store.CommitLabel) ([]store.Labeling, int) {
	var out []store.Labeling
	missing := 0
	for _, it := range b.items {
		labels, ok := answers[it.ID]
		if !ok {
			missing++
			continue
		}
		out = append(out, store.Labeling{CommitID: b.commitIDs[it.ID], Source: store.SourceOllama, LabelerVersion: l.version, Labels: labels})
	}
	return out, missing
}
