package learnjob

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/riverqueue/river/rivertype"

	"github.com/commit-labeler/commit-labeler/store"
)

// Status is a learn job as an operator sees it: the admin page and
// `train runs` show these.
type Status struct {
	ID     int64
	Repo   string
	Reason string
	// State is River's: available, scheduled, retryable, running,
	// completed, discarded, cancelled...
	State string
	// Attempt is the attempt running or last run, of MaxAttempts.
	Attempt, MaxAttempts int
	CreatedAt            time.Time
	// LastError is the last failed attempt's error.
	LastError string
	// Stranded says why nothing will work the job ("" when something
	// will): it waits while no worker is alive, or it runs on a worker
	// that died and no live worker has taken it over yet (store.Takeover).
	Stranded string
}

// waiting are River's states of a job no worker has taken yet.
var waiting = []rivertype.JobState{rivertype.JobStateAvailable, rivertype.JobStatePending,
	rivertype.JobStateScheduled, rivertype.JobStateRetryable}

// Statuses are the learn jobs of jobs (River's rows of Kind) as seen at
// now, given the workers the store knows: a job waiting while no worker
// is alive, or running on a worker that is not, is Stranded.
func Statuses(jobs []*rivertype.JobRow, workers []store.Worker, now time.Time) []Status {
	alive := map[string]bool{}
	anyAlive := false
	for _, w := range workers {
		alive[w.ID] = w.Alive(now)
		anyAlive = anyAlive || alive[w.ID]
	}
	out := make([]Status, 0, len(jobs))
	for _, j := range jobs {
		s := Status{ID: j.ID, State: string(j.State), Attempt: j.Attempt, MaxAttempts: j.MaxAttempts, CreatedAt: j.CreatedAt}
		var a Args
		if err := json.Unmarshal(j.EncodedArgs, &a); err != nil {
			s.Repo = fmt.Sprintf("(unreadable arguments: %v)", err)
		} else {
			s.Repo, s.Reason = a.Repo, a.Reason
		}
		if n := len(j.Errors); n > 0 {
			s.LastError = j.Errors[n-1].Error
		}
		switch {
		case slices.Contains(waiting, j.State) && !anyAlive:
			s.Stranded = "no learning worker is alive (train worker): nothing will learn it"
		case j.State == rivertype.JobStateRunning && len(j.AttemptedBy) > 0 && !alive[j.AttemptedBy[len(j.AttemptedBy)-1]]:
			s.Stranded = fmt.Sprintf("its worker %s is not alive: the run died, and the next live worker (or learn request) takes it over",
				j.AttemptedBy[len(j.AttemptedBy)-1])
		}
		out = append(out, s)
	}
	return out
}
