package loadgen

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// Target is a webhook endpoint under load.
type Target struct {
	// Name labels the target in the report ("bot", "probot").
	Name string
	// Engine is the bot's database engine ("sqlite", "postgres"); empty
	// for Probot and for a bot run elsewhere.
	Engine string
	// URLs are the webhook endpoints
	// (http://127.0.0.1:PORT/api/github/webhooks), one per replica: a
	// step's deliveries go to them in turn, as a round-robin load
	// balancer would spread them.
	URLs []string
	// Secret signs the deliveries.
	Secret []byte
	// BeforeSend, when set, runs for each delivery of a step before the
	// step starts (the fake GitHub learns its pull request).
	BeforeSend func(Delivery)
	// CPU, when set, returns the CPU time the server (all its replicas)
	// has used so far.
	CPU func() time.Duration
}

// Step is one rate of a run: how many deliveries were offered and how
// they were answered.
type Step struct {
	Target   string
	Engine   string
	Replicas int
	Rate     int
	Sent     int
	Elapsed  time.Duration
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
	MaxInFlight int
	// Timeout bounds each request; a cancelled run still waits for the
	// requests in flight, up to it.
	Timeout time.Duration
}

// Run offers rate deliveries per second to t for d. The step's deliveries
// are made, signed and announced (BeforeSend) before its first send, so
// that the generator's own CPU during the step is the sending.
func (g *Generator) Run(ctx context.Context, t Target, rate int, d time.Duration) Step {
	total := int(float64(rate) * d.Seconds())
	st := Step{Target: t.Name, Engine: t.Engine, Replicas: len(t.URLs), Rate: rate, Numbers: make([]int, 0, total)}
	endpoints, err := g.dial(t)
	if err != nil {
		st.Errors, st.FirstError = total, err.Error()
		return st
	}
	defer func() {
		for _, e := range endpoints {
			e.conns.close()
		}
	}()
	reqs := make([]request, total)
	for i := range reqs {
		dv := g.Deliveries.Next(t.Name)
		if t.BeforeSend != nil {
			t.BeforeSend(dv)
		}
		st.Numbers = append(st.Numbers, dv.Number)
		e := endpoints[i%len(endpoints)]
		reqs[i] = newRequest(e.url, e.conns, t.Secret, dv)
	}
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
	cpu := t.cpu()
	st.Start = time.Now()
	interval := time.Second / time.Duration(rate)
	for i, req := range reqs {
		due := st.Start.Add(time.Duration(i) * interval)
		if wait := time.Until(due); wait > 0 {
			select {
			case <-time.After(wait):
			case <-ctx.Done():
			}
		}
		if ctx.Err() != nil {
			st.Numbers = st.Numbers[:i]
			break
		}
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
			record(post(t.Name, req, due))
		}()
	}
	wg.Wait()
	st.Elapsed = time.Since(st.Start)
	st.CPU = t.cpu() - cpu
	return st
}

// endpoint is one replica's URL and connections.
type endpoint struct {
	url   *url.URL
	conns *conns
}

// dial prepares the connections to each of t's URLs.
func (g *Generator) dial(t Target) ([]endpoint, error) {
	if len(t.URLs) == 0 {
		return nil, fmt.Errorf("loadgen: target %s has no URL", t.Name)
	}
	endpoints := make([]endpoint, len(t.URLs))
	for i, raw := range t.URLs {
		u, err := url.Parse(raw)
		if err != nil {
			return nil, fmt.Errorf("loadgen: target %s: %w", t.Name, err)
		}
		cs, err := newConns(u, g.Timeout, g.MaxInFlight)
		if err != nil {
			return nil, err
		}
		endpoints[i] = endpoint{url: u, conns: cs}
	}
	return endpoints, nil
}

func (t Target) cpu() time.Duration {
	if t.CPU == nil {
		return 0
	}
	return t.CPU()
}

// post sends one delivery and returns its response time from due.
func post(target string, req request, due time.Time) (time.Duration, error) {
	status, err := req.conns.do(req)
	took := time.Since(due)
	if err != nil {
		return 0, err
	}
	if status/100 != 2 {
		return 0, fmt.Errorf("%s answered %d %s", target, status, http.StatusText(status))
	}
	return took, nil
}
