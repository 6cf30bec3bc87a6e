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
	t := newTally(labels)
	for _, o := range outcomes {
		t.add(o)
	}
	m := &Metrics{N: len(outcomes), PerLabel: map[string]LabelMetrics{}, Labels: labels, Confusion: t.confusion}
	if m.N == 0 {
		return m
	}
	m.Accuracy = float64(t.correct) / float64(m.N)
	t.scoreTopLabels(m)
	t.scoreLabelSets(m)
	m.AppliedPrecision = ratio(t.appliedRight, t.applied)
	m.AppliedCoverage = float64(t.labeled) / float64(m.N)
	m.ExpectedCalibrationError = calibrationError(t.ranked)
	m.CoverageAt = coverageCurve(t.ranked)
	return m
}

// confident is an example's top probability and whether the top label is
// its first label.
type confident struct {
	p       float32
	correct bool
}

// tally counts outcomes as Evaluate reads them, by label index.
type tally struct {
	labels []string
	index  map[string]int
	// confusion counts first label (row) against top label (column).
	confusion [][]int
	ranked    []confident
	correct   int
	// tp, fp and fn compare predicted label sets with true label sets.
	tp, fp, fn []int
	// applied and appliedRight count the labels applied under the
	// thresholds, and those of them that are true, in all and by label;
	// labeled counts the examples with any applied label.
	applied, appliedRight     int
	appliedBy, appliedRightBy []int
	labeled                   int
}

func newTally(labels []string) *tally {
	k := len(labels)
	t := &tally{labels: labels, index: make(map[string]int, k), confusion: make([][]int, k),
		tp: make([]int, k), fp: make([]int, k), fn: make([]int, k), appliedBy: make([]int, k), appliedRightBy: make([]int, k)}
	for i, l := range labels {
		t.index[l] = i
		t.confusion[i] = make([]int, k)
	}
	return t
}

func (t *tally) add(o Scored) {
	top := argmax(o.Probabilities)
	first, ok := t.index[o.Truth[0]]
	if ok {
		t.confusion[first][top]++
	}
	hit := ok && first == top
	if hit {
		t.correct++
	}
	t.ranked = append(t.ranked, confident{o.Probabilities[top], hit})

	truth := make(map[int]bool, len(o.Truth))
	for _, l := range o.Truth {
		if i, ok := t.index[l]; ok {
			truth[i] = true
		}
	}
	predicted, applied := o.Applied, len(o.Applied) > 0
	if applied {
		t.labeled++
	} else {
		predicted = []string{t.labels[top]}
	}
	for _, a := range predicted {
		i, ok := t.index[a]
		if !ok {
			continue
		}
		hit := truth[i]
		if hit {
			t.tp[i]++
		} else {
			t.fp[i]++
		}
		if applied {
			t.applied++
			t.appliedBy[i]++
			if hit {
				t.appliedRight++
				t.appliedRightBy[i]++
			}
		}
		delete(truth, i)
	}
	for i := range truth {
		t.fn[i]++
	}
}

// scoreTopLabels sets each label's scores as the top prediction and their
// macro-F1 over the labels that occur as a first label.
func (t *tally) scoreTopLabels(m *Metrics) {
	present := 0
	for i, l := range t.labels {
		var support, predicted int
		for j := range t.labels {
			support += t.confusion[i][j]
			predicted += t.confusion[j][i]
		}
		lm := LabelMetrics{Support: support, Predicted: predicted, Applied: t.appliedBy[i], AppliedRight: t.appliedRightBy[i]}
		lm.Precision = ratio(t.confusion[i][i], predicted)
		lm.Recall = ratio(t.confusion[i][i], support)
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
}

// scoreLabelSets sets the micro- and macro-F1 of the predicted label sets.
func (t *tally) scoreLabelSets(m *Metrics) {
	var sumTP, sumFP, sumFN, macroN int
	for i := range t.labels {
		sumTP, sumFP, sumFN = sumTP+t.tp[i], sumFP+t.fp[i], sumFN+t.fn[i]
		if t.tp[i]+t.fp[i]+t.fn[i] > 0 {
			m.MultiMacroF1 += f1Counts(t.tp[i], t.fp[i], t.fn[i])
			macroN++
		}
	}
	m.MultiMicroF1 = f1Counts(sumTP, sumFP, sumFN)
	if macroN > 0 {
		m.MultiMacroF1 /= float64(macroN)
	}
}

// calibrationError is the expected calibration error of the top label's
// probability over calibrationBins equal-width bins.
func calibrationError(ranked []confident) float64 {
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
	var ece float64
	for b, n := range binN {
		if n > 0 {
			ece += math.Abs(float64(binHits[b])-binP[b]) / float64(len(ranked))
		}
	}
	return ece
}

// coverageCurve is the largest share of examples, most confident first,
// whose top label keeps each of CoverageTargets' precisions. It sorts
// ranked.
func coverageCurve(ranked []confident) []CoveragePoint {
	sort.SliceStable(ranked, func(i, j int) bool { return ranked[i].p > ranked[j].p })
	var curve []CoveragePoint
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
		curve = append(curve, CoveragePoint{Precision: target, Coverage: float64(best) / float64(len(ranked))})
	}
	return curve
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
