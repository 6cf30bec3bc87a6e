package fakegithub

import (
	"time"

	"net/http"
)

// SetLatency makes every repository call wait d before it is answered (0:
// answer at once), as a slow GitHub would; a client that gives up meanwhile
// gets no answer. It applies to calls arriving after it.
func (rs *Repos) SetLatency(d time.Duration) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	rs.latency = d
}

// wait holds a call for the latency, reporting false when the client gave
// up first.
func (rs *Repos) wait(r *http.Request) bool {
	rs.mu.Lock()
	d := rs.latency
	rs.mu.Unlock()
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}
