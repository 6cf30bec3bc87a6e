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
		case strings.HasPrefix(l.Action, "held back"):
			out[l.Label] = store.LabelHeldBack
		case l.Action == "kept":
			out[l.Label] = store.LabelKept
		case l.Action == "applied" && write:
			out[l.Label] = store.LabelApplied
		case l.Action == "applied":
			out[l.Label] = store.LabelDryRun
		}
	}
	return out
}
