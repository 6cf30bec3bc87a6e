package webhook

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/google/go-github/v93/github"

	"github.com/commit-labeler/commit-labeler/repoconfig"
)

// labelWrites decides whether the run ctx carries adds and removes labels
// in a repository: not in a run that only reports (ReportAction), not in a
// dry run, and not while the repository's configuration file is invalid
// (problem), where applying the defaults would give labels the repository
// opted out of. dryRun says why a dry run writes none ("" otherwise).
func (e *Events) labelWrites(ctx context.Context, cfg repoconfig.Config, problem error) (write bool, dryRun string) {
	switch {
	case e.dryRun:
		dryRun = "the bot runs with --dry-run"
	case problem != nil:
		dryRun = repoconfig.Path + " is invalid (the " + ConfigCheckRunName + " check run lists its errors), so no label changes until it is fixed"
	case cfg.DryRun:
		dryRun = "dry_run: true in " + repoconfig.Path
	}
	return dryRun == "" && !deliveryRunFrom(ctx).reportOnly, dryRun
}

// checkRunWrites reports whether the run ctx carries may create check
// runs. A repository's dry run (dry_run: true, or an invalid file) may:
// the check run is its report, and changes no label; the operator's
// --dry-run changes nothing on GitHub at all.
func (e *Events) checkRunWrites(ctx context.Context) bool {
	return !e.dryRun && !deliveryRunFrom(ctx).reportOnly
}

// explain creates the check run made builds when the repository has check
// runs on and the run may create them; GitHub refusing it is logged, not
// retried. A run that changes no label (labelsWritten false) and creates
// no check run gives it to OnCheckRun unwritten, so that the Action's job
// summary still reports what it would do. made is called only then: a
// check run costs features to build.
func (e *Events) explain(ctx context.Context, gh *github.Client, r repoRef, log *slog.Logger, cfg repoconfig.Config, labelsWritten bool, made func() checkRun) error {
	if !cfg.CheckRuns || !e.checkRunWrites(ctx) {
		if !labelsWritten && e.onCheckRun != nil {
			e.report(made(), nil)
		}
		return nil
	}
	c := made()
	err := e.writeCheckRun(ctx, gh, r, log, c)
	if isClientError(err) {
		log.WarnContext(ctx, "cannot create the check run", "check_run", c.name, "err", err)
		return nil
	}
	return err
}

// Actions of a label line in a dry run.
const (
	wouldApply  = "would be applied (dry run)"
	wouldRemove = "would be removed (dry run)"
)

// unapplied are a dry run's label lines: what a writing run would apply
// or remove, said as not done.
func unapplied(lines []labelLine) []labelLine {
	out := make([]labelLine, len(lines))
	for i, l := range lines {
		switch l.action {
		case "applied":
			l.action = wouldApply
		case "removed (no longer predicted)":
			l.action = wouldRemove
		}
		out[i] = l
	}
	return out
}

// dryRunCheckRun is c as a dry run reports it: its title, the heading
// GitHub and the job summary show first, says that nothing was changed and
// lists the GitHub labels a writing run would add and remove; the summary
// says why, then the same explanation as a writing run.
func dryRunCheckRun(c checkRun, why string, plan labelPlan, cfg repoconfig.Config) checkRun {
	c.title = "Dry run, nothing changed: " + wouldChange(gitHubLabels(plan.add, cfg), gitHubLabels(plan.remove, cfg))
	c.summary = fmt.Sprintf("**No label was added or removed: %s.** The labels below are what a run that writes would do.\n\n%s", why, c.summary)
	return c
}

// wouldChange lists the labels a writing run would add and remove.
func wouldChange(add, remove []string) string {
	var parts []string
	if len(add) > 0 {
		parts = append(parts, "would add "+strings.Join(add, ", "))
	}
	if len(remove) > 0 {
		parts = append(parts, "would remove "+strings.Join(remove, ", "))
	}
	if len(parts) == 0 {
		return "no label to add or remove"
	}
	return strings.Join(parts, "; ")
}

// gitHubLabels are the repository's GitHub names of vocabulary labels.
func gitHubLabels(names []string, cfg repoconfig.Config) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = cfg.GitHubLabel(n)
	}
	return out
}
