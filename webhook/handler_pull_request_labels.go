package webhook

import (
	"context"
	"log/slog"
	"time"

	"github.com/commit-labeler/commit-labeler/learnjob"
	"github.com/commit-labeler/commit-labeler/store"
)

// correction records a maintainer's label change on a pull request: the
// bot stops owning the label (never removes one a human added, never
// re-adds one a human removed) and training gets it as a correction.
func (h *pullRequestHandler) correction(ctx context.Context, r repoRef, ev *pullRequestDelivery, deliveryID string, log *slog.Logger) error {
	pr, err := ev.pullRequest(deliveryID)
	if err != nil {
		return err
	}
	sender := ev.GetSender()
	if sender.GetType() == "Bot" {
		log.DebugContext(ctx, "label change by another bot: not a correction", "sender", sender.GetLogin())
		return nil
	}
	gh, err := h.clients.Installation(r.installationID)
	if err != nil {
		return err
	}
	cfg, _, err := h.labeling.configs.load(ctx, gh, r, nil)
	if err != nil {
		return err
	}
	name, ok := cfg.VocabularyLabel(ev.GetLabel().Name)
	if !ok {
		return nil
	}
	number := ev.GetNumber()
	st, _, err := h.db.PullState(ctx, r.String(), number)
	if err != nil {
		return err
	}
	// The commits are listed here, when a maintainer corrects, rather than
	// each time a pull request is labeled: a call fewer on the busy path,
	// and the list is the one the correction is about.
	shas := st.CommitSHAs
	if len(shas) == 0 || st.HeadSHA != pr.GetHead().GetSHA() {
		shas, err = pullCommits(ctx, gh, r, number, log)
		if isClientError(err) {
			log.WarnContext(ctx, "cannot list the pull request's commits; the correction names its head only", "err", err)
			shas, err = []string{pr.GetHead().GetSHA()}, nil
		}
		if err != nil {
			return err
		}
	}
	state, action := store.PullLabelHumanAdded, store.CorrectionAdded
	if ev.GetAction() == "unlabeled" {
		state, action = store.PullLabelHumanRemoved, store.CorrectionRemoved
	}
	// The label state is an upsert and goes first: a retry after a failed
	// correction insert then repeats nothing.
	if err := h.db.SetPullLabel(ctx, r.String(), number, store.PullLabel{
		Label: name, GitHubLabel: ev.GetLabel().Name, State: state, Sender: sender.GetLogin(), DeliveryID: deliveryID,
	}); err != nil {
		return err
	}
	at := pr.GetUpdatedAt().Time
	if at.IsZero() {
		at = time.Now()
	}
	log.InfoContext(ctx, "maintainer correction", "label", name, "action", action, "sender", sender.GetLogin())
	if err := h.db.AddCorrection(ctx, store.Correction{
		Repo: r.String(), SHAs: shas, PullNumber: number, Label: name, Action: action,
		Sender: sender.GetLogin(), DeliveryID: deliveryID, CreatedAt: at,
	}); err != nil {
		return err
	}
	// A maintainer's correction is the most trusted label there is: the
	// repository is learned again (one job waits per repository, so a
	// burst of corrections is learned once).
	h.learning.learn(ctx, learnjob.Args{Repo: r.String(), CloneURL: ev.GetRepo().GetCloneURL(), InstallationID: r.installationID, Reason: learnjob.ReasonCorrection})
	return nil
}
