package webhook

import (
	"errors"
	"fmt"
	"strings"

	"github.com/commit-labeler/commit-labeler/repoconfig"
)

// configCheckRun reports an invalid configuration file: every error at
// its line, and that no label changes until it is fixed.
func configCheckRun(headSHA string, problem error) checkRun {
	c := checkRun{
		name: ConfigCheckRunName, headSHA: headSHA, conclusion: "failure",
		title: "Invalid " + repoconfig.Path + ": no label changes until it is fixed",
	}
	var invalid *repoconfig.InvalidError
	if !errors.As(problem, &invalid) {
		c.summary = "```\n" + problem.Error() + "\n```"
		return c
	}
	c.problems = invalid.Problems
	var b strings.Builder
	fmt.Fprintf(&b, "%s has %d %s. Until it is fixed commit-labeler adds and removes no label in this repository; "+
		"the %s check run shows what it would do under the defaults.\n\n", repoconfig.Path, len(invalid.Problems),
		noun{"error", "errors"}.of(len(invalid.Problems)), PullCheckRunName)
	for _, p := range invalid.Problems {
		b.WriteString("- " + cell(p.String()) + "\n")
	}
	c.summary = b.String()
	return c
}
