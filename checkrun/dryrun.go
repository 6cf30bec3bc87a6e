package checkrun

import (
	"fmt"
	"strings"

	"github.com/commit-labeler/commit-labeler/repoconfig"
)

// Actions of a label line in a dry run.
const (
	WouldApply  = "would be applied (dry run)"
	WouldRemove = "would be removed (dry run)"
)

// Unapplied are a dry run's label lines: what a writing run would apply
// or remove, said as not done.
func Unapplied(lines []LabelLine) []LabelLine {
	out := make([]LabelLine, len(lines))
	for i, l := range lines {
		switch l.Action {
		case "applied":
			l.Action = WouldApply
		case "removed (no longer predicted)":
			l.Action = WouldRemove
		}
		out[i] = l
	}
	return out
}

// DryRun is c as a dry run reports it: its title, the heading
// GitHub and the job summary show first, says that nothing was changed and
// lists the GitHub labels a writing run would add and remove (add and
// remove, vocabulary names); the summary says why, then the same
// explanation as a writing run.
func DryRun(c Output, why string, add, remove []string, cfg repoconfig.Config) Output {
	c.Title = "Dry run, nothing changed: " + wouldChange(gitHubLabels(add, cfg), gitHubLabels(remove, cfg))
	c.Summary = fmt.Sprintf("**No label was added or removed: %s.** The labels below are what a run that writes would do.\n\n%s", why, c.Summary)
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
