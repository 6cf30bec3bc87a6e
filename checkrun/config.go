package checkrun

import (
	"errors"
	"fmt"
	"strings"

	"github.com/commit-labeler/commit-labeler/repoconfig"
)

// Config reports an invalid configuration file: every error at
// its line, and that no label changes until it is fixed.
func Config(headSHA string, problem error) Output {
	c := Output{
		Name: ConfigName, HeadSHA: headSHA, Conclusion: "failure",
		Title: "Invalid " + repoconfig.Path + ": no label changes until it is fixed",
	}
	var invalid *repoconfig.InvalidError
	if !errors.As(problem, &invalid) {
		c.Summary = "```\n" + problem.Error() + "\n```"
		return c
	}
	c.Problems = invalid.Problems
	var b strings.Builder
	fmt.Fprintf(&b, "%s has %d %s. Until it is fixed commit-labeler adds and removes no label in this repository; "+
		"the %s check run shows what it would do under the defaults.\n\n", repoconfig.Path, len(invalid.Problems),
		noun{"error", "errors"}.of(len(invalid.Problems)), PullName)
	for _, p := range invalid.Problems {
		b.WriteString("- " + cell(p.String()) + "\n")
	}
	c.Summary = b.String()
	return c
}
