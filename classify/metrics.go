package classify

import (
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
)

// LabelMetrics are one label's scores as the top prediction.
type LabelMetrics struct {
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
	// Support counts the examples whose first label is this one.
	Support int `json:"support"`
	// Predicted counts the examples predicted with this top label.
	Predicted int `json:"predicted"`
	// Applied counts the examples this label was applied to under the
	// thresholds, AppliedRight those of them that carry it: which labels
	// a model applies at all, and how well.
	Applied      int `json:"applied"`
	AppliedRight int `json:"applied_right"`
}

// CoveragePoint is the share of examples a model labels at a precision.
type CoveragePoint struct {
	Precision float64 `json:"precision"`
	Coverage  float64 `json:"coverage"`
}

// Metrics are a model's scores on labeled examples.
type Metrics struct {
	// N counts the examples.
	N int `json:"n"`
	// Accuracy is the share of examples whose top label is their first label.
	Accuracy float64 `json:"accuracy"`
	// MacroF1 is the top label's F1 against the first label, averaged over
	// the labels that occur as a first label.
	MacroF1 float64 `json:"macro_f1"`
	// PerLabel holds each label's precision, recall and F1 of the top label.
	PerLabel map[string]LabelMetrics `json:"per_label"`
	// MultiMicroF1 and MultiMacroF1 compare the predicted label sets with
	// the examples' label sets (macro over labels occurring in either). The
	// predicted set is the applied labels, or the top label alone where the
	// model abstains: abstention is scored by AppliedPrecision and
	// AppliedCoverage, so these measure the label sets themselves.
	MultiMicroF1 float64 `json:"multilabel_micro_f1"`
	MultiMacroF1 float64 `json:"multilabel_macro_f1"`
	// AppliedPrecision is the precision of the labels the model applies
	// under its thresholds, and AppliedCoverage the share of examples it
	// labels at all (does not abstain on).
	AppliedPrecision float64 `json:"applied_precision"`
	AppliedCoverage  float64 `json:"applied_coverage"`
	// ExpectedCalibrationError is how far the top label's probability is
	// from its accuracy: the mean over calibrationBins equal-width bins of
	// the probability, weighted by the examples in each, of
	// |accuracy − mean probability|. 0 is perfectly calibrated.
	ExpectedCalibrationError float64 `json:"expected_calibration_error"`
	// CoverageAt is the largest share of examples, most confident first,
	// that keeps the top label's precision at each target.
	CoverageAt []CoveragePoint `json:"coverage_at_precision"`
	// Labels orders the confusion matrix rows (first label) and columns (top label).
	Labels    []string `json:"labels"`
	Confusion [][]int  `json:"confusion"`
}

// Scored is one example's outcome: its true labels and the model's answer.
type Scored struct {
	// Truth are the example's labels, the first being the primary one.
	Truth []string
	// Probabilities are the model's, in Labels order.
	Probabilities []float32
	// Applied are the labels applied under the thresholds (empty: abstained).
	Applied []string
}

// CoverageTargets are the precisions at which coverage is reported.
var CoverageTargets = []float64{0.80, 0.85, 0.90, 0.95}

// calibrationBins is how many equal-width probability bins the expected
// calibration error averages over (the common choice in the literature).
const calibrationBins = 15

// Evaluate scores outcomes of a model whose outputs are labels.
func Evaluate(labels []string, outcomes []Scored) *Metrics {
	index := make(map[string]int, len(labels))
	for i, l := range labels {
		index[l] = i
	}
	k := len(labels)
	m := &Metrics{N: len(outcomes), PerLabel: map[string]LabelMetrics{}, Labels: labels, Confusion: make([][]int, k)}
	for i := range m.Confusion {
		m.Confusion[i] = make([]int, k)
	}
	type confident struct {
		p       float32
		correct bool
	}
	ranked := make([]confident, 0, len(outcomes))
	var correct, appliedTrue, appliedAll, labeled int
	tp, fp, fn := make([]int, k), make([]int, k), make([]int, k)
	appliedBy, appliedRightBy := make([]int, k), make([]int, k)
	for _, o := range outcomes {
		top := argmax(o.Probabilities)
		first, ok := index[o.Truth[0]]
		if ok {
			m.Confusion[first][top]++
		}
		hit := ok && first == top
		if hit {
			correct++
		}
		ranked = append(ranked, confident{o.Probabilities[top], hit})

		truth := make(map[int]bool, len(o.Truth))
		for _, t := range o.Truth {
			if i, ok := index[t]; ok {
				truth[i] = true
			}
		}
		predicted, applied := o.Applied, len(o.Applied) > 0
		if applied {
			labeled++
		} else {
			predicted = []string{labels[top]}
		}
		for _, a := range predicted {
			i, ok := index[a]
			if !ok {
				continue
			}
			hit := truth[i]
			if hit {
				tp[i]++
			} else {
				fp[i]++
			}
			if applied {
				appliedAll++
				appliedBy[i]++
				if hit {
					appliedTrue++
					appliedRightBy[i]++
				}
			}
			delete(truth, i)
		}
		for i := range truth {
			fn[i]++
		}
	}
	if m.N == 0 {
		return m
	}
	m.Accuracy = float64(correct) / float64(m.N)
	present := 0
	for i, l := range labels {
		var support, predicted int
		for j := range k {
			support += m.Confusion[i][j]
			predicted += m.Confusion[j][i]
		}
		lm := LabelMetrics{Support: support, Predicted: predicted, Applied: appliedBy[i], AppliedRight: appliedRightBy[i]}
		lm.Precision = ratio(m.Confusion[i][i], predicted)
		lm.Recall = ratio(m.Confusion[i][i], support)
		lm.F1 = harmonic(lm.Precision, lm.Recall)
		if support > 0 || predicted > 0 {
			m.PerLabel[l] = lm
		}
		if support > 0 {
			m.MacroF1 += lm.F1
			present++
		}
	}
	if present > 0 {
		m.MacroF1 /= float64(present)
	}

	var sumTP, sumFP, sumFN, macroN int
	for i := range k {
		sumTP, sumFP, sumFN = sumTP+tp[i], sumFP+fp[i], sumFN+fn[i]
		if tp[i]+fp[i]+fn[i] > 0 {
			m.MultiMacroF1 += f1Counts(tp[i], fp[i], fn[i])
			macroN++
		}
	}
	m.MultiMicroF1 = f1Counts(sumTP, sumFP, sumFN)
	if macroN > 0 {
		m.MultiMacroF1 /= float64(macroN)
	}
	m.AppliedPrecision = ratio(appliedTrue, appliedAll)
	m.AppliedCoverage = float64(labeled) / float64(m.N)

	var binN, binHits [calibrationBins]int
	var binP [calibrationBins]float64
	for _, r := range ranked {
		b := min(int(r.p*calibrationBins), calibrationBins-1)
		binN[b]++
		binP[b] += float64(r.p)
		if r.correct {
			binHits[b]++
		}
	}
	for b, n := range binN {
		if n > 0 {
			m.ExpectedCalibrationError += math.Abs(float64(binHits[b])-binP[b]) / float64(m.N)
		}
	}
	sort.SliceStable(ranked, func(i, j int) bool { return ranked[i].p > ranked[j].p })
	for _, target := range CoverageTargets {
		best, hits := 0, 0
		for i, r := range ranked {
			if r.correct {
				hits++
			}
			if float64(hits) >= target*float64(i+1) {
				best = i + 1
			}
		}
		m.CoverageAt = append(m.CoverageAt, CoveragePoint{Precision: target, Coverage: float64(best) / float64(m.N)})
	}
	return m
}

func argmax(p []float32) int {
	best := 0
	for i, v := range p {
		if v > p[best] {
			best = i
		}
	}
	return best
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func harmonic(p, r float64) float64 {
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}

func f1Counts(tp, fp, fn int) float64 {
	return harmonic(ratio(tp, tp+fp), ratio(tp, tp+fn))
}

// BalancedSample draws, for each first label with at least perLabel
// outcomes, perLabel of them (seeded, in their order), leaving rarer labels
// out: a test set where every label weighs the same, as the outside
// measurements of this project are taken (10 types × 150 commits).
func BalancedSample(outcomes []Scored, perLabel int, seed uint64) []Scored {
	byLabel := map[string][]int{}
	for i, o := range outcomes {
		byLabel[o.Truth[0]] = append(byLabel[o.Truth[0]], i)
	}
	rng := rand.New(rand.NewPCG(seed, uint64(perLabel)))
	var keep []int
	for _, l := range slices.Sorted(maps.Keys(byLabel)) {
		idx := byLabel[l]
		if len(idx) < perLabel {
			continue
		}
		rng.Shuffle(len(idx), func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
		keep = append(keep, idx[:perLabel]...)
	}
	slices.Sort(keep)
	out := make([]Scored, len(keep))
	for i, j := range keep {
		out[i] = outcomes[j]
	}
	return out
}
