package webhook

import (
	"context"
	"log/slog"

	"github.com/google/go-github/v93/github"

	"github.com/commit-labeler/commit-labeler/checkrun"
	"github.com/commit-labeler/commit-labeler/delivery"
	"github.com/commit-labeler/commit-labeler/repoconfig"
)

// labelWrites decides whether the run ctx carries adds and removes labels
// in a repository: not in a run that only reports (ReportAction), not in a
// dry run, and not while the repository's configuration file is invalid
// (problem), where applying the defaults would give labels the repository
// opted out of. dryRun says why a dry run writes none ("" otherwise).
func (w *checkRunWriter) labelWrites(ctx context.Context, cfg repoconfig.Config, problem error) (write bool, dryRun string) {
	switch {
	case w.dryRun:
		dryRun = "the bot runs with --dry-run"
	case problem != nil:
		dryRun = repoconfig.Path + " is invalid (the " + checkrun.ConfigName + " check run lists its errors), so no label changes until it is fixed"
	case cfg.DryRun:
		dryRun = "dry_run: true in " + repoconfig.Path
	}
	return dryRun == "" && !delivery.RunFrom(ctx).ReportOnly, dryRun
}

// checkRunWrites reports whether the run ctx carries may create check
// runs. A repository's dry run (dry_run: true, or an invalid file) may:
// the check run is its report, and changes no label; the operator's
// --dry-run changes nothing on GitHub at all.
func (w *checkRunWriter) checkRunWrites(ctx context.Context) bool {
	return !w.dryRun && !delivery.RunFrom(ctx).ReportOnly
}

// explain creates the check run made builds when the repository has check
// runs on and the run may create them; GitHub refusing it is logged, not
// retried. A run that changes no label (labelsWritten false) and creates
// no check run gives it to OnCheckRun unwritten, so that the Action's job
// summary still reports what it would do. made is called only then: a
// check run costs features to build.
func (w *checkRunWriter) explain(ctx context.Context, gh *github.Client, r repoRef, log *slog.Logger, cfg repoconfig.Config, labelsWritten bool, made func() checkrun.Output) error {
	if !cfg.CheckRuns || !w.checkRunWrites(ctx) {
		if !labelsWritten && w.onCheckRun != nil {
			w.report(made(), nil)
		}
		return nil
	}
	c := made()
	err := w.writeCheckRun(ctx, gh, r, log, c)
	if isClientError(err) {
		log.WarnContext(ctx, "cannot create the check run", "check_run", c.Name, "err", err)
		return nil
	}
	return err
}
