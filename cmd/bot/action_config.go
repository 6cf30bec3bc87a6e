package main

import (
	"fmt"
	"io"

	"github.com/commit-labeler/commit-labeler/repoconfig"
	"github.com/commit-labeler/commit-labeler/webhook"
)

// writeConfigWarnings writes one ::warning:: per error of an invalid
// configuration file, at its line, so that each shows on the workflow run
// and as an annotation of the file. Every error is listed: one fix-and-push per typo is what a maintainer
// would otherwise get.
func writeConfigWarnings(w io.Writer, reports []webhook.CheckRunReport) {
	for _, r := range reports {
		for _, p := range r.Problems {
			at := "file=" + repoconfig.Path
			if p.Line > 0 {
				at += fmt.Sprintf(",line=%d", p.Line)
			}
			fmt.Fprintf(w, "::warning %s,title=commit-labeler: invalid configuration::%s\n", at, workflowEscape(p.String()))
		}
	}
}
