package checkrun

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/commit-labeler/commit-labeler/classify"
)

func percent(p float64) string { return fmt.Sprintf("%.0f%%", 100*p) }

// Bounds of the score chart.
const (
	// chartLabels is the most labels charted: the rest are summed on a line.
	chartLabels = 5
	// chartMinProbability is the least probability charted: smaller bars
	// would be slivers.
	chartMinProbability = 0.01
	// chartWidth is the bar of probability 1, in characters.
	chartWidth = 20
)

// scoreChart draws label probabilities as a Markdown table of bars, most
// probable first: the top chartLabels at chartMinProbability or more
// (always the top one), the others summed below it.
func scoreChart(scores []classify.LabelScore) string {
	sorted := slices.SortedStableFunc(slices.Values(scores), func(a, b classify.LabelScore) int {
		return cmp.Compare(b.Probability, a.Probability)
	})
	var b strings.Builder
	b.WriteString("| Label | Probability | |\n|---|---|--:|\n")
	rest, restP := 0, 0.0
	for i, s := range sorted {
		if i > 0 && (i >= chartLabels || s.Probability < chartMinProbability) {
			rest++
			restP += s.Probability
			continue
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", cell(s.Label), bar(s.Probability), percent(s.Probability))
	}
	if rest > 0 {
		together := percent(restP)
		if restP < chartMinProbability {
			together = "under 1%" // not "0%": the model gave them something
		}
		fmt.Fprintf(&b, "\n%d other %s: %s together.\n", rest, noun{"label", "labels"}.of(rest), together)
	}
	return b.String()
}

// barEighths are the block characters of a bar's last, partial character.
var barEighths = []string{"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"}

// bar draws a probability as a bar of block characters, chartWidth for 1,
// in eighths of a character, so that any probability above 0 shows.
func bar(p float64) string {
	eighths := int(math.Round(min(max(p, 0), 1) * chartWidth * 8))
	if eighths == 0 && p > 0 {
		eighths = 1
	}
	return strings.Repeat("█", eighths/8) + barEighths[eighths%8]
}

// cell makes text safe in a Markdown table cell.
func cell(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	return strings.ReplaceAll(s, "|", `\|`)
}
