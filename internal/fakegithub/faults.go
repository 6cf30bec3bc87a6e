package fakegithub

import (
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"time"
)

// Fault kinds the fake injects.
const (
	// FaultBadGateway answers 502 Bad Gateway.
	FaultBadGateway = "502"
	// FaultTooManyRequests answers 429 with Retry-After.
	FaultTooManyRequests = "429"
	// FaultSecondaryRateLimit answers 403 with Retry-After and the secondary
	// rate limit message and documentation URL GitHub sends.
	FaultSecondaryRateLimit = "403-secondary"
)

// secondaryRateLimitDocs is the documentation_url of GitHub's secondary rate
// limit answers, which clients (go-github) recognise.
const secondaryRateLimitDocs = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"

// Faults fails a share of calls, choosing which and how from a seeded
// generator so that a run with the same calls fails the same way.
type Faults struct {
	rate       float64
	retryAfter time.Duration
	kinds      []string
	rng        *rand.Rand
}

// NewFaults fails the given fraction of calls with one of the kinds (all
// three when none is given), deterministically by seed. Rate-limit answers
// carry Retry-After (whole seconds, at least 1).
func NewFaults(rate float64, seed uint64, retryAfter time.Duration, kinds ...string) *Faults {
	if len(kinds) == 0 {
		kinds = []string{FaultBadGateway, FaultTooManyRequests, FaultSecondaryRateLimit}
	}
	return &Faults{
		rate:       rate,
		retryAfter: max(retryAfter.Round(time.Second), time.Second),
		kinds:      kinds,
		rng:        rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
	}
}

// SetFaults makes the repository endpoints fail as f says; nil stops faults.
func (rs *Repos) SetFaults(f *Faults) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	rs.faults = f
}

// inject answers w with a fault when the draw says so. Called under the lock.
func (f *Faults) inject(w http.ResponseWriter) bool {
	if f.rng.Float64() >= f.rate {
		return false
	}
	retryAfter := strconv.Itoa(int(f.retryAfter / time.Second))
	switch f.kinds[f.rng.IntN(len(f.kinds))] {
	case FaultBadGateway:
		WriteError(w, http.StatusBadGateway, "Server Error")
	case FaultTooManyRequests:
		w.Header().Set("Retry-After", retryAfter)
		writeSecondaryRateLimit(w, http.StatusTooManyRequests)
	default:
		w.Header().Set("Retry-After", retryAfter)
		writeSecondaryRateLimit(w, http.StatusForbidden)
	}
	return true
}

func writeSecondaryRateLimit(w http.ResponseWriter, status int) {
	WriteJSON(w, status, map[string]string{
		"message":           "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
		"documentation_url": secondaryRateLimitDocs,
	})
}

// EarlyCall is a call that came while its client had been told to wait: after
// a Retry-After answer to the same installation, before that answer expired.
type EarlyCall struct {
	Call
	// Ignored is the Retry-After answer it came too early after.
	Ignored Call
}

// EarlyCalls checks calls (Repos.Calls) against the Retry-After answers
// among them, per client (installation): it returns the calls that arrived
// before an answer's Retry-After expired, counted from when the answer was
// written. A call arriving within grace of that answer was already on its
// way when the client read it (another worker's request) and is counted in
// inFlight instead.
func EarlyCalls(calls []Call, grace time.Duration) (early []EarlyCall, inFlight int) {
	byClient := map[int64][]Call{}
	for _, c := range calls {
		byClient[c.Installation] = append(byClient[c.Installation], c)
	}
	for _, cs := range byClient {
		slices.SortStableFunc(cs, func(a, b Call) int { return a.Time.Compare(b.Time) })
		for i, c := range cs {
			if c.RetryAfter == 0 {
				continue
			}
			until := c.Answered.Add(c.RetryAfter)
			for _, later := range cs[i+1:] {
				if !later.Time.Before(until) {
					break
				}
				if later.Time.Before(c.Answered.Add(grace)) {
					inFlight++
					continue
				}
				early = append(early, EarlyCall{Call: later, Ignored: c})
			}
		}
	}
	return early, inFlight
}
