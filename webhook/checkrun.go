package webhook

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/go-github/v93/github"

	"github.com/commit-labeler/commit-labeler/checkrun"
	"github.com/commit-labeler/commit-labeler/delivery"
	"github.com/commit-labeler/commit-labeler/ghapp"
	"github.com/commit-labeler/commit-labeler/repoconfig"
)

// CheckRunReport is a check run as the handlers write it.
type CheckRunReport struct {
	checkrun.Output
	// Err is why GitHub did not create the check run (a *github.ErrorResponse
	// when GitHub refused it); nil when it did, or when the run only reports.
	Err error
}

// checkRunWriter creates the handlers' check runs, where the run may
// write them, and tells OnCheckRun of each.
type checkRunWriter struct {
	// dryRun is the operator's --dry-run: nothing is written to GitHub.
	dryRun     bool
	onCheckRun func(CheckRunReport)
}

// writeCheckRun creates c on r, then tells OnCheckRun of it and of
// GitHub's answer.
func (w *checkRunWriter) writeCheckRun(ctx context.Context, gh *github.Client, r repoRef, log *slog.Logger, c checkrun.Output) error {
	err := createCheckRun(ctx, gh, r.owner, r.name, c, log)
	w.report(c, err)
	return err
}

// report tells OnCheckRun of c and of why GitHub did not create it (err).
func (w *checkRunWriter) report(c checkrun.Output, err error) {
	if w.onCheckRun != nil {
		w.onCheckRun(CheckRunReport{Output: c, Err: err})
	}
}

// createCheckRun writes c, once per delivery: a rerun of the delivery's
// job (after a crash or a failed later call) first looks for the check run
// an earlier attempt created, by name and external_id, on the head commit.
func createCheckRun(ctx context.Context, gh *github.Client, owner, repo string, c checkrun.Output, log *slog.Logger) error {
	if c.HeadSHA == "" {
		// A payload without its head commit: GitHub requires head_sha and
		// has no commit to show the run on.
		log.WarnContext(ctx, "no head commit in the payload: no check run", "check_run", c.Name)
		return nil
	}
	run := delivery.RunFrom(ctx)
	if run.Attempt > 1 {
		done, err := checkRunCreatedBy(ctx, gh, owner, repo, c, run.ID, log)
		if err != nil {
			return err
		}
		if done {
			return nil
		}
	}
	out := &github.CheckRunOutput{Title: &c.Title, Summary: new(checkrun.Limit(c.Summary))}
	if c.Text != "" {
		out.Text = new(checkrun.Limit(c.Text))
	}
	opts := github.CreateCheckRunOptions{
		Name:        c.Name,
		HeadSHA:     c.HeadSHA,
		Status:      new("completed"),
		Conclusion:  &c.Conclusion,
		CompletedAt: &github.Timestamp{Time: time.Now()},
		Output:      out,
	}
	if run.ID != "" {
		opts.ExternalID = &run.ID
	}
	if _, _, err := gh.Checks.CreateCheckRun(ctx, owner, repo, opts); err != nil {
		return fmt.Errorf("check run %q on %s/%s@%s: %w", c.Name, owner, repo, checkrun.ShortSHA(c.HeadSHA), err)
	}
	return nil
}

// checkRunCreatedBy reports whether the head commit has a check run of this name
// created for the delivery deliveryID, among its first ghapp.MaxCheckRuns
// of the name.
func checkRunCreatedBy(ctx context.Context, gh *github.Client, owner, repo string, c checkrun.Output, deliveryID string, log *slog.Logger) (bool, error) {
	list := ghapp.List{Name: fmt.Sprintf("check runs %q of %s/%s@%s", c.Name, owner, repo, checkrun.ShortSHA(c.HeadSHA)), Cap: ghapp.MaxCheckRuns}
	pages := func(p ghapp.Page) ([]*github.CheckRun, *github.Response, error) {
		runs, resp, err := gh.Checks.ListCheckRunsForRef(ctx, owner, repo, c.HeadSHA, &github.ListCheckRunsOptions{
			CheckName: &c.Name, Filter: new("all"), ListOptions: github.ListOptions{Page: p.Number, PerPage: ghapp.PageSize},
		})
		return runs.GetCheckRuns(), resp, err
	}
	for run, err := range ghapp.ReadList(ctx, log, list, pages) {
		if err != nil {
			return false, fmt.Errorf("check runs %q on %s/%s@%s: %w", c.Name, owner, repo, checkrun.ShortSHA(c.HeadSHA), err)
		}
		if run.GetExternalID() == deliveryID {
			return true, nil
		}
	}
	return false, nil
}

// reportConfigProblem logs an invalid configuration and reports its
// errors in a check run on sha, as explain does for a run that changes no
// label: while the file is invalid, none is changed (labelWrites).
func (w *checkRunWriter) reportConfigProblem(ctx context.Context, gh *github.Client, r repoRef, sha string, cfg repoconfig.Config, problem error, log *slog.Logger) error {
	log.WarnContext(ctx, "invalid repository configuration: no label changes until it is fixed", "repo", r.String(), "error", problem)
	if sha == "" {
		return nil
	}
	return w.explain(ctx, gh, r, log, cfg, false, func() checkrun.Output { return checkrun.Config(sha, problem) })
}
