package decision

import (
	"fmt"
	"strconv"

	"github.com/commit-labeler/commit-labeler/classify"
	"github.com/commit-labeler/commit-labeler/repoconfig"
)

// Shortfall is the label that came closest to being applied when the
// model abstained: a maintainer reads how far the model was from a label,
// not just that it said nothing.
type Shortfall struct {
	Label       string  `json:"label"`
	Probability float64 `json:"probability"`
	Threshold   float64 `json:"threshold"`
	// TopHeldBack is set when another label reached its threshold but the
	// most probable one (Label) did not, and the model's thresholds apply
	// no label then (classify.ApplyThresholds).
	TopHeldBack bool `json:"top_held_back,omitempty"`
}

// Explain says why no label was applied.
func (s *Shortfall) Explain() string {
	switch {
	case s == nil:
		return "no label reached its threshold"
	case s.TopHeldBack:
		return fmt.Sprintf("the most probable label did not reach its threshold: %s; the model applies no label then", s.compared())
	}
	return "no label reached its threshold: closest " + s.compared()
}

// compared is "fix 0.41 < 0.55", or "ci 0.62 < 1 (never applied)".
func (s *Shortfall) compared() string {
	t := fmt.Sprintf("%.2f", s.Threshold)
	if s.Threshold >= classify.NeverApply {
		t = strconv.FormatFloat(classify.NeverApply, 'f', -1, 64) + " (never applied)"
	}
	return fmt.Sprintf("%s %.2f < %s", s.Label, s.Probability, t)
}

// closest finds the label with the smallest gap to its threshold among
// scores (most probable first) when none was applied; nil without scores.
func closest(scores []classify.LabelScore, meta *classify.Meta, cfg repoconfig.Config) *Shortfall {
	var best *Shortfall
	reached := false
	for _, s := range scores {
		t := thresholdOf(s.Label, meta, cfg)
		if s.Probability >= t && t < classify.NeverApply {
			reached = true
			continue
		}
		if best == nil || t-s.Probability < best.Threshold-best.Probability {
			best = &Shortfall{Label: s.Label, Probability: s.Probability, Threshold: t}
		}
	}
	if reached && len(scores) > 0 {
		top := scores[0]
		return &Shortfall{Label: top.Label, Probability: top.Probability, Threshold: thresholdOf(top.Label, meta, cfg), TopHeldBack: true}
	}
	return best
}

// thresholdOf is the least probability a model label needs under cfg, by
// the precedence repoconfig.Config.Select applies: the repository's own
// (LabelThreshold), the thresholds of its asked precision, the model's.
func thresholdOf(label string, meta *classify.Meta, cfg repoconfig.Config) float64 {
	if t, ok := cfg.LabelThreshold(label); ok {
		return t
	}
	var thresholds map[string]float64
	switch {
	case cfg.Point != nil:
		thresholds = cfg.Point.Thresholds
	case meta != nil:
		thresholds = meta.Thresholds
	}
	if t, ok := thresholds[label]; ok {
		return t
	}
	return classify.NeverApply
}
