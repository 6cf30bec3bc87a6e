// Package checkrun writes what the bot's check runs say: it turns a
// labeling decision into a check run's title, summary and text (the labels
// and their sources, the model's scores and the features behind them in
// words, a push's commits, an invalid configuration file's errors, what a
// dry run would change). It sends nothing to GitHub.
package checkrun

import (
	"strings"

	"github.com/commit-labeler/commit-labeler/repoconfig"
)

// Check run names.
const (
	// PullName explains the labels of a pull request on its head.
	PullName = "commit-labeler"
	// PushName lists the predictions of pushed commits on the head.
	PushName = "commit-labeler / commits"
	// ConfigName reports an invalid configuration file.
	ConfigName = "commit-labeler / config"
)

// textLimit keeps check run text under GitHub's 65535 characters.
const textLimit = 60000

// Output is a completed check run to create.
type Output struct {
	Name, HeadSHA, Conclusion string
	// Title and Summary are markdown GitHub shows first; Text is the rest.
	Title, Summary, Text string
	// Problems are the errors of an invalid configuration file, each at
	// its line, in the config check run (ConfigName).
	Problems []repoconfig.Problem
}

// ShortSHA is a commit's abbreviated hash, as GitHub shows it.
func ShortSHA(sha string) string { return sha[:min(len(sha), 7)] }

// Limit cuts s, at a line, to what GitHub keeps of a check run's summary
// or text.
func Limit(s string) string {
	if len(s) <= textLimit {
		return s
	}
	return s[:strings.LastIndexByte(s[:textLimit], '\n')+1] + "\n… (cut)"
}
