package webhook

import (
	"context"
	"log/slog"

	"github.com/commit-labeler/commit-labeler/learnjob"
)

// LearnEnqueuer asks for a repository to be learned (delivery.LearnQueue).
type LearnEnqueuer interface {
	// EnqueueLearn enqueues a learn job; queued is false when one for the
	// repository is already waiting or running on a live worker (one
	// running on a dead worker is taken over: it waits again).
	EnqueueLearn(ctx context.Context, args learnjob.Args) (queued bool, err error)
}

// learner asks the learning worker to learn repositories.
type learner struct {
	// queue takes the requests; nil when the bot learns nothing.
	queue LearnEnqueuer
	log   *slog.Logger
}

// enabled reports whether the bot learns repositories.
func (l learner) enabled() bool { return l.queue != nil }

// learn asks for a repository to be learned, when the bot has a learn
// queue; a failure is logged, not returned: labeling goes on without it.
func (l learner) learn(ctx context.Context, args learnjob.Args) {
	if l.queue == nil {
		return
	}
	queued, err := l.queue.EnqueueLearn(ctx, args)
	if err != nil {
		l.log.WarnContext(ctx, "cannot enqueue learning the repository", "repo", args.Repo, "reason", args.Reason, "err", err)
		return
	}
	l.log.InfoContext(ctx, "learning the repository requested", "repo", args.Repo, "reason", args.Reason, "queued", queued)
}
