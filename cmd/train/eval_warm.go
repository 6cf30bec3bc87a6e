package main

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/commit-labeler/commit-labeler/classify"
	"github.com/commit-labeler/commit-labeler/pipeline"
)

// printWarmRepo prints one repository of a warm evaluation as it ends:
// both models on the newest commits of its history, where it was judged,
// and the verdict with its reason.
func printWarmRepo(w io.Writer, r pipeline.WarmRepo) {
	l := r.Learned
	fmt.Fprintf(w, "%s: %d history commits, learned in %.1f s", r.Repo, l.Commits, r.LearnSeconds)
	if l.Global != nil && l.Learned != nil {
		fmt.Fprintf(w, "; on its newest %d: global accuracy %.3f, applied precision %.3f on %.0f%%; repository %.3f, %.3f on %.0f%%",
			l.ValidCommits, l.Global.Accuracy, l.Global.AppliedPrecision, 100*l.Global.AppliedCoverage, l.Learned.Accuracy, l.Learned.AppliedPrecision, 100*l.Learned.AppliedCoverage)
	}
	if r.Accepted {
		fmt.Fprintln(w, "; accepted")
	} else {
		fmt.Fprintf(w, "; global model kept: %s\n", l.Reason)
	}
}

// printWarm prints a warm evaluation for people: each repository's global
// and served figures on its newest commits, then both pooled.
func printWarm(w io.Writer, rep *pipeline.WarmReport) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "repository\tscored\tmodel\tmacro-F1\taccuracy\tapplied precision\tcoverage\tcov@0.80\tcov@0.85\tcov@0.90\tcov@0.95\t")
	row := func(name string, n int, model string, m *classify.Metrics) {
		fmt.Fprintf(tw, "%s\t%d\t%s\t%.3f\t%.3f\t%.3f\t%.3f\t", name, n, model, m.MacroF1, m.Accuracy, m.AppliedPrecision, m.AppliedCoverage)
		for _, target := range []float64{0.80, 0.85, 0.90, 0.95} {
			fmt.Fprintf(tw, "%s\t", coverageAt(m, target))
		}
		fmt.Fprintln(tw)
	}
	accepted := 0
	for _, r := range rep.Repos {
		row(r.Repo, r.Global.N, "global", r.Global)
		if r.Accepted {
			accepted++
			row("", r.Served.N, "repository", r.Served)
		}
	}
	row("pooled", rep.Global.N, "global", rep.Global)
	row("", rep.Served.N, "served", rep.Served)
	tw.Flush()
	fmt.Fprintf(w, "%d of %d repositories served by their own model; %.0f s\n", accepted, len(rep.Repos), rep.Seconds)
}

// coverageAt formats the coverage a metrics' curve reaches at a precision.
func coverageAt(m *classify.Metrics, precision float64) string {
	for _, c := range m.CoverageAt {
		if c.Precision == precision {
			return fmt.Sprintf("%.3f", c.Coverage)
		}
	}
	return "–"
}
