package learnjob

import (
	"fmt"

	"github.com/commit-labeler/commit-labeler/classify"
)

// Figures says in one line how a learned repository model was judged
// and why it was accepted or refused: its macro-F1 against the global
// model's on the newest commits, the precision and coverage of the labels
// it applies there, or why it could not be compared. The worker's log,
// `train runs`, /metrics' help and the admin page say the same.
func Figures(l *classify.Learned) string {
	if l == nil {
		return "no report"
	}
	verdict := "refused"
	if l.Accepted {
		verdict = "accepted"
	}
	if l.Global == nil {
		return fmt.Sprintf("%s: %s", verdict, l.Reason)
	}
	if l.Learned != nil {
		figures := fmt.Sprintf("%s: on the newest %d of %d labeled commits, macro-F1 %.3f vs the global model's %.3f, precision %s vs %s, coverage %.2f vs %.2f",
			verdict, l.ValidCommits, l.Commits, l.Learned.MacroF1, l.Global.MacroF1, precision(l.Learned), precision(l.Global),
			l.Learned.AppliedCoverage, l.Global.AppliedCoverage)
		if l.Reason != "" {
			figures += "; " + l.Reason
		}
		return figures
	}
	// A report of the former rule, refused on macro-F1, which Reason
	// states: the learned model's other figures were not computed.
	return fmt.Sprintf("%s: %s (of %d labeled commits); the global model's precision %s, coverage %.2f",
		verdict, l.Reason, l.Commits, precision(l.Global), l.Global.AppliedCoverage)
}

// precision is m's precision of the labels it applies, "–" when it
// applies none (coverage 0): not a precision of 0.
func precision(m *classify.Metrics) string {
	if m.AppliedCoverage == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f", m.AppliedPrecision)
}
