// Package learnjob is the "learn repository" job: what the bot enqueues
// when a repository should be learned (installed, configuration changed,
// new labeled history) and what the learning worker (`train worker`)
// works, through River on the database both use.
package learnjob

import (
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// Kind is the River job kind, and Queue the queue only learning workers
// work: the bot inserts into it but never trains inline.
const (
	Kind  = "learn_repository"
	Queue = "learn"
)

// Reasons a learn job is enqueued for.
const (
	ReasonInstalled  = "installed"
	ReasonConfig     = "config"
	ReasonActivity   = "activity"
	ReasonCorrection = "correction"
	ReasonManual     = "manual"
)

// MaxAttempts is how many times a learn job is tried before it is
// discarded.
const MaxAttempts = 5

// Args are a learn job's arguments.
type Args struct {
	// Repo is the repository's owner/name: one learn job per repository
	// waits at a time.
	Repo string `json:"repo" river:"unique"`
	// CloneURL is what git clones the repository from.
	CloneURL string `json:"clone_url"`
	// InstallationID is the GitHub App installation whose token clones it
	// (0: no token).
	InstallationID int64 `json:"installation_id"`
	// Reason says why it was enqueued.
	Reason string `json:"reason"`
}

// Kind implements river.JobArgs.
func (Args) Kind() string { return Kind }

// InsertOpts implements river.JobArgsWithInsertOpts: a repository has at
// most one learn job waiting or running; a request while one does is
// dropped, since that job learns from everything there is when it runs.
func (Args) InsertOpts() river.InsertOpts {
	return river.InsertOpts{
		Queue:       Queue,
		MaxAttempts: MaxAttempts,
		UniqueOpts: river.UniqueOpts{
			ByArgs: true,
			ByState: []rivertype.JobState{
				rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
				rivertype.JobStateRetryable, rivertype.JobStateScheduled,
			},
		},
	}
}
