package classify

import "sort"

// DefaultPrecisionTarget is the out-of-fold precision the default
// thresholds are tuned for. On repositories a model never saw, precision
// ran above the out-of-fold one at every target: for the default model's
// recipe on the 20 repositories `make model` holds out, target 0.75
// applied labels at precision 0.795 to 50% of their commits; 0.76 at
// 0.802 to 48%; 0.77 at 0.821 to 43%.
// A labeler that abstains on most pull requests does nothing for a
// repository that just installed it, and one that wants more precision
// asks for it (`precision:` in .github/commit-labeler.yml).
const DefaultPrecisionTarget = 0.76

// minThresholdSupport is the fewest validation predictions of a label that
// may set its threshold; rarer labels keep the strictest one seen overall.
const minThresholdSupport = 20

// NeverApply is the threshold of a label that cannot reach the precision
// target: a probability never exceeds it.
const NeverApply = 1.0

// TuneThresholds returns per-label thresholds on the top-label probability
// that keep, on the validation outcomes, the precision of all the labels
// applied at the target while applying as many as possible: the labels'
// predictions are taken most probable first, each time the most precise
// run (of at least minThresholdSupport/2) that continues one label's,
// until the next best run would pull the precision under the target. Each
// label's threshold is the probability of its last prediction taken
// (NeverApply when none was). Equalising the precision at the margin labels
// several times more commits than holding every label to the target on its
// own, which leaves the less precise labels out altogether. A label
// predicted too rarely to tell gets the largest threshold of the others.
func TuneThresholds(labels []string, outcomes []Scored, target float64) map[string]float64 {
	byLabel := make([][]scoredPrediction, len(labels))
	for _, o := range outcomes {
		top := argmax(o.Probabilities)
		byLabel[top] = append(byLabel[top], scoredPrediction{o.Probabilities[top], o.Truth[0] == labels[top]})
	}
	// next is each label's most precise run from its cut; only the label
	// whose run is taken needs its next run found again.
	taken := make([]int, len(labels))
	next := make([]predictionRun, len(labels))
	for i, preds := range byLabel {
		sort.Slice(preds, func(a, b int) bool { return preds[a].p > preds[b].p })
		if len(preds) >= minThresholdSupport {
			next[i] = bestRun(preds, 0)
		}
	}
	hits, total := 0, 0
	for {
		best := -1
		for i, r := range next {
			if r.end > taken[i] && (best < 0 || r.precision(taken[i]) >= next[best].precision(taken[best])) {
				best = i
			}
		}
		if best < 0 {
			break
		}
		r := next[best]
		n := r.end - taken[best]
		if float64(hits+r.hits) < target*float64(total+n) {
			break
		}
		hits, total, taken[best] = hits+r.hits, total+n, r.end
		next[best] = bestRun(byLabel[best], r.end)
	}
	out := make(map[string]float64, len(labels))
	strictest := 0.0
	var rare []string
	for i, l := range labels {
		if len(byLabel[i]) < minThresholdSupport {
			rare = append(rare, l)
			continue
		}
		t := NeverApply
		if taken[i] > 0 {
			t = float64(byLabel[i][taken[i]-1].p)
		}
		out[l] = t
		if t > strictest {
			strictest = t
		}
	}
	if strictest == 0 {
		strictest = NeverApply
	}
	for _, l := range rare {
		out[l] = strictest
	}
	return out
}

// ApplyThresholds returns the labels applied for one probability vector:
// the top label when it reaches its threshold, then any other label
// reaching its own, most probable first. Empty means abstain.
func ApplyThresholds(labels []string, probs []float32, thresholds map[string]float64) []LabelScore {
	order := make([]int, len(probs))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return probs[order[a]] > probs[order[b]] })
	var out []LabelScore
	for rank, i := range order {
		t, ok := thresholds[labels[i]]
		if !ok {
			t = NeverApply
		}
		if float64(probs[i]) < t || t >= NeverApply {
			if rank == 0 {
				return nil // the top label decides whether the model speaks at all
			}
			continue
		}
		out = append(out, LabelScore{Label: labels[i], Probability: float64(probs[i])})
	}
	return out
}

// ApplyThresholdsToScores is ApplyThresholds over scores (label and
// probability pairs, in any order).
func ApplyThresholdsToScores(scores []LabelScore, thresholds map[string]float64) []LabelScore {
	labels := make([]string, len(scores))
	probs := make([]float32, len(scores))
	for i, s := range scores {
		labels[i], probs[i] = s.Label, float32(s.Probability)
	}
	return ApplyThresholds(labels, probs, thresholds)
}

// scoredPrediction is a top-label prediction and whether it was right.
type scoredPrediction struct {
	p       float32
	correct bool
}

// predictionRun is a run of a label's predictions ending before end, with
// hits right ones; end is 0 when there is none.
type predictionRun struct{ end, hits int }

func (r predictionRun) precision(from int) float64 {
	return float64(r.hits) / float64(r.end-from)
}

// bestRun is the most precise run of preds (most probable first) from
// from, at least minThresholdSupport/2 long and longest on ties: a run of
// mistakes can hide better ones below it. A cut between two equal
// probabilities is not realisable, so runs end where the probability drops.
func bestRun(preds []scoredPrediction, from int) predictionRun {
	var best predictionRun
	bestPrecision := -1.0
	h := 0
	for end := from + 1; end <= len(preds); end++ {
		if preds[end-1].correct {
			h++
		}
		if end-from < minThresholdSupport/2 || (end < len(preds) && preds[end].p == preds[end-1].p) {
			continue
		}
		if precision := float64(h) / float64(end-from); precision >= bestPrecision {
			best, bestPrecision = predictionRun{end: end, hits: h}, precision
		}
	}
	return best
}

// OperatingPrecisions are the precisions a model's operating curve holds
// thresholds for, 0.70 to 0.95 in steps of 0.01; a repository asks for one
// of them (or between them).
var OperatingPrecisions = func() []float64 {
	var out []float64
	for p := 70; p <= 95; p++ {
		out = append(out, float64(p)/100)
	}
	return out
}()

// OperatingPoint is a set of thresholds tuned for a precision, with what
// they achieved on the outcomes they were tuned on.
type OperatingPoint struct {
	// Target is the precision the thresholds were tuned for.
	Target float64 `json:"target"`
	// Precision and Coverage are the applied labels' precision and the
	// share of commits labeled under the thresholds.
	Precision float64 `json:"precision"`
	Coverage  float64 `json:"coverage"`
	// Thresholds are per-label, as in Meta.Thresholds.
	Thresholds map[string]float64 `json:"thresholds"`
}

// OperatingCurve tunes thresholds for each of OperatingPrecisions on
// outcomes (out-of-fold predictions) and measures them there.
func OperatingCurve(labels []string, outcomes []Scored) []OperatingPoint {
	curve := make([]OperatingPoint, len(OperatingPrecisions))
	applied := make([]Scored, len(outcomes))
	for i, target := range OperatingPrecisions {
		t := TuneThresholds(labels, outcomes, target)
		for j, o := range outcomes {
			applied[j] = Scored{Truth: o.Truth, Probabilities: o.Probabilities,
				Applied: labelNames(ApplyThresholds(labels, o.Probabilities, t))}
		}
		m := Evaluate(labels, applied)
		curve[i] = OperatingPoint{Target: target, Precision: m.AppliedPrecision, Coverage: m.AppliedCoverage, Thresholds: t}
	}
	return curve
}

// PointFor returns the operating point for a precision a repository asks
// for: the one tuned for the least target at or above it (the most commits
// labeled at that precision or better), or the strictest there is when it
// asks for more. ok is false when the model has no curve.
func (m *Meta) PointFor(precision float64) (p OperatingPoint, ok bool) {
	for _, p := range m.OperatingPoints {
		if p.Target >= precision-1e-9 {
			return p, true
		}
	}
	if n := len(m.OperatingPoints); n > 0 {
		return m.OperatingPoints[n-1], true
	}
	return OperatingPoint{}, false
}
