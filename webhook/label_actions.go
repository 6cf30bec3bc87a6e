package webhook

import (
	"strings"

	"github.com/commit-labeler/commit-labeler/store"
)

// labelActions is what the admin page shows of plan: what became of each
// label chosen (store.LabelApplied...), the ones the bot would have added
// marked store.LabelDryRun when it writes nothing. Labels removed are
// left out: the decision did not choose them.
func labelActions(plan labelPlan, write bool) map[string]string {
	out := map[string]string{}
	for _, l := range plan.lines {
		switch {
		case strings.HasPrefix(l.action, "held back"):
			out[l.label] = store.LabelHeldBack
		case l.action == "kept":
			out[l.label] = store.LabelKept
		case l.action == "applied" && write:
			out[l.label] = store.LabelApplied
		case l.action == "applied":
			out[l.label] = store.LabelDryRun
		}
	}
	return out
}
