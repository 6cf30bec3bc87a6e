package classify

import "sort"

// DefaultPrecisionTarget is the precision thresholds are tuned for, a
// margin above the 0.85 the default thresholds must keep on repositories a
// model never saw. Tuned on the few validation repositories alone, precision
// fell on unseen ones (0.85 → 0.56 for tfidf_logreg); tuned on out-of-fold
// predictions over all training repositories (TrainOptions.ThresholdFolds)
// it held within a hair (0.85 → 0.8495; 0.86 → 0.845, the per-label cuts
// being noisy), hence the margin: 0.88 keeps 0.883 on the eight repositories
// the default model never trained on, labeling 3.2% of their commits.
const DefaultPrecisionTarget = 0.88

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
// until the next best run would pull the precision under the target. Each label's threshold is the probability of its last prediction
// taken (NeverApply when none was). Equalising the precision at the margin
// labels several times more commits than holding every label to the target
// on its own, which leaves the less precise labels out altogether. A label
// predicted too rarely to tell gets the largest threshold of the others.
func TuneThresholds(labels []string, outcomes []Scored, target float64) map[string]float64 {
	type pred struct {
		p       float32
		correct bool
	}
	byLabel := make([][]pred, len(labels))
	for _, o := range outcomes {
		top := argmax(o.Probabilities)
		byLabel[top] = append(byLabel[top], pred{o.Probabilities[top], o.Truth[0] == labels[top]})
	}
	for _, preds := range byLabel {
		sort.Slice(preds, func(a, b int) bool { return preds[a].p > preds[b].p })
	}
	taken := make([]int, len(labels))
	hits, total := 0, 0
	for {
		best, bestEnd, bestHits, bestPrecision := -1, 0, 0, -1.0
		for i, preds := range byLabel {
			from := taken[i]
			if len(preds) < minThresholdSupport || from == len(preds) {
				continue
			}
			// The most precise run from here (at least minThresholdSupport/2
			// long, longest on ties): a run of mistakes can hide better ones
			// below it.
			h := 0
			for end := from + 1; end <= len(preds); end++ {
				if preds[end-1].correct {
					h++
				}
				// A cut between two equal probabilities is not realisable.
				if end-from < minThresholdSupport/2 || (end < len(preds) && preds[end].p == preds[end-1].p) {
					continue
				}
				if precision := float64(h) / float64(end-from); precision >= bestPrecision {
					best, bestEnd, bestHits, bestPrecision = i, end, h, precision
				}
			}
		}
		if best < 0 {
			break
		}
		n := bestEnd - taken[best]
		if float64(hits+bestHits) < target*float64(total+n) {
			break
		}
		hits, total, taken[best] = hits+bestHits, total+n, bestEnd
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
