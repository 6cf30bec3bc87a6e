package loadgen

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/commit-labeler/commit-labeler/webhook"
)

// Target is a webhook endpoint under load.
type Target struct {
	// Name labels the target in the report ("bot", "probot").
	Name string
	// URL is the webhook endpoint (http://127.0.0.1:PORT/api/github/webhooks).
	URL string
	// Secret signs the deliveries.
	Secret []byte
	// BeforeSend, when set, runs before a delivery is posted (the fake
	// GitHub learns its pull request).
	BeforeSend func(Delivery)
	// CPU, when set, returns the CPU time the server has used so far.
	CPU func() time.Duration
}

// Step is one rate of a run: how many deliveries were offered and how
// they were answered.
type Step struct {
	Target  string
	Rate    int
	Sent    int
	Elapsed time.Duration
	// Accepted counts 2xx answers.
	Accepted int
	// Errors counts other answers, transport errors and sends dropped
	// because MaxInFlight requests were outstanding.
	Errors int
	// Latencies are the 2xx answers' response times, measured from the
	// time the send was due (so a late generator counts against the server).
	Latencies Latencies
	// FirstError describes the first error, empty if none.
	FirstError string
	// Sent deliveries' pull request numbers, in order.
	Numbers []int
	// Start is when the first send was due.
	Start time.Time
	// CPU is the CPU time the server used from the first send to the last
	// answer (0 when unknown).
	CPU time.Duration
}

// Generator posts signed deliveries at a fixed rate, open loop: a send is
// never held back by slow answers, up to MaxInFlight outstanding requests.
type Generator struct {
	Deliveries  *Deliveries
	Client      *http.Client
	MaxInFlight int
}

// NewClient returns an HTTP client keeping enough loopback connections
// alive for the rates driven.
func NewClient(timeout time.Duration) *http.Client {
	return &http.Client{Timeout: timeout, Transport: &http.Transport{
		MaxIdleConns: 4096, MaxIdleConnsPerHost: 4096, IdleConnTimeout: time.Minute,
	}}
}

// Run offers rate deliveries per second to t for d.
func (g *Generator) Run(ctx context.Context, t Target, rate int, d time.Duration) Step {
	total := int(float64(rate) * d.Seconds())
	cpu := t.cpu()
	st := Step{Target: t.Name, Rate: rate, Start: time.Now(), Numbers: make([]int, 0, total)}
	var (
		mu       sync.Mutex
		wg       sync.WaitGroup
		inFlight = make(chan struct{}, g.MaxInFlight)
	)
	record := func(lat time.Duration, err error) {
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			st.Errors++
			if st.FirstError == "" {
				st.FirstError = err.Error()
			}
			return
		}
		st.Accepted++
		st.Latencies = append(st.Latencies, lat)
	}
	interval := time.Second / time.Duration(rate)
	for i := range total {
		due := st.Start.Add(time.Duration(i) * interval)
		if wait := time.Until(due); wait > 0 {
			select {
			case <-time.After(wait):
			case <-ctx.Done():
				total = i
			}
		}
		if ctx.Err() != nil {
			break
		}
		dv := g.Deliveries.Next(t.Name)
		st.Numbers = append(st.Numbers, dv.Number)
		st.Sent++
		select {
		case inFlight <- struct{}{}:
		default:
			record(0, fmt.Errorf("%d requests outstanding: send dropped", g.MaxInFlight))
			continue
		}
		wg.Add(1)
		go func() {
			defer func() { <-inFlight; wg.Done() }()
			record(g.post(ctx, t, dv, due))
		}()
	}
	wg.Wait()
	st.Elapsed = time.Since(st.Start)
	st.CPU = t.cpu() - cpu
	return st
}

func (t Target) cpu() time.Duration {
	if t.CPU == nil {
		return 0
	}
	return t.CPU()
}

// post sends one delivery and returns its response time from due.
func (g *Generator) post(ctx context.Context, t Target, dv Delivery, due time.Time) (time.Duration, error) {
	if t.BeforeSend != nil {
		t.BeforeSend(dv)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.URL, bytes.NewReader(dv.Body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "GitHub-Hookshot/loadgen")
	req.Header.Set(webhook.HeaderEvent, "pull_request")
	req.Header.Set(webhook.HeaderDelivery, dv.ID)
	req.Header.Set(webhook.HeaderSignature, webhook.SignatureHeader(t.Secret, dv.Body))
	resp, err := g.Client.Do(req)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	took := time.Since(due)
	if resp.StatusCode/100 != 2 {
		return 0, fmt.Errorf("%s answered %s", t.Name, resp.Status)
	}
	return took, nil
}
