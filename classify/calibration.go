package classify

import (
	"context"
	"math"
	"sort"
)

// FitTemperature returns the temperature T that minimises the mean negative
// log-likelihood of the first labels under softmax(log p / T), p being each
// outcome's probabilities, for T in [1/2, 20]: temperature scaling, which makes the
// probabilities mean what they say without changing any ranking. Fitted on
// out-of-fold predictions over repositories, it corrects both the
// overconfidence of a model on repositories it never saw and the inflation
// that class weights give rare labels. It returns 1 without outcomes.
func FitTemperature(labels []string, outcomes []Scored) float64 {
	index := make(map[string]int, len(labels))
	for i, l := range labels {
		index[l] = i
	}
	type row struct {
		logp  []float64
		label int
	}
	rows := make([]row, 0, len(outcomes))
	for _, o := range outcomes {
		y, ok := index[o.Truth[0]]
		if !ok {
			continue
		}
		r := row{logp: make([]float64, len(o.Probabilities)), label: y}
		for i, p := range o.Probabilities {
			r.logp[i] = math.Log(max(float64(p), 1e-12))
		}
		rows = append(rows, r)
	}
	if len(rows) == 0 {
		return 1
	}
	z := make([]float64, len(labels))
	nll := func(t float64) float64 {
		s := 0.0
		for _, r := range rows {
			for i, v := range r.logp {
				z[i] = v / t
			}
			s += logSumExp(z) - z[r.label]
		}
		return s / float64(len(rows))
	}
	// The NLL is unimodal in log T: golden-section search over T in
	// [1/2, 20]. Out-of-fold predictions that are all right would sharpen
	// without end, until float32 probabilities tie at 1 and no threshold
	// can cut between them: sharpening stops at squaring.
	lo, hi := math.Log(0.5), math.Log(20)
	const phi = 0.6180339887498949
	a, b := hi-phi*(hi-lo), lo+phi*(hi-lo)
	fa, fb := nll(math.Exp(a)), nll(math.Exp(b))
	for hi-lo > 1e-4 {
		if fa < fb {
			hi, b, fb = b, a, fa
			a = hi - phi*(hi-lo)
			fa = nll(math.Exp(a))
		} else {
			lo, a, fa = a, b, fb
			b = lo + phi*(hi-lo)
			fb = nll(math.Exp(b))
		}
	}
	return math.Exp((lo + hi) / 2)
}

// Temper rescales probabilities in place to softmax(log p / t).
func Temper(p []float32, t float64) {
	if t == 1 || t <= 0 {
		return
	}
	// In place: this runs on every probability the bot serves.
	scaled := func(v float32) float64 { return math.Log(max(float64(v), 1e-30)) / t }
	mx := math.Inf(-1)
	for _, v := range p {
		mx = math.Max(mx, scaled(v))
	}
	sum := 0.0
	for i, v := range p {
		e := math.Exp(scaled(v) - mx)
		p[i] = float32(e)
		sum += e
	}
	for i := range p {
		p[i] = float32(float64(p[i]) / sum)
	}
}

// calibrated serves a model whose model.json carries a calibration (a
// temperature, top calibrations): every probability it returns is
// calibrated, so serving, evaluation and ensembles see the probabilities
// that thresholds were tuned on.
type calibrated struct {
	Model
}

// Probabilities calibrates the model's probabilities.
func (m calibrated) Probabilities(ctx context.Context, feats []*Features) ([][]float32, error) {
	probs, err := m.Model.Probabilities(ctx, feats)
	meta := m.Meta()
	for _, p := range probs {
		meta.Calibrate(p)
	}
	return probs, err
}

// Calibrate applies the model's temperature, then its top calibration, to
// probabilities its graph returned: a loaded model does it itself.
func (m *Meta) Calibrate(p []float32) {
	Temper(p, m.Temperature)
	if len(m.TopCalibration) > 0 {
		calibrateTop(p, m.Labels, m.TopCalibration)
	}
}

// calibrated reports whether a model.json carries a calibration.
func (m *Meta) calibrated() bool {
	return m.Temperature > 0 && m.Temperature != 1 || len(m.TopCalibration) > 0
}

// Explain delegates to the model when it explains its decisions.
func (m calibrated) Explain(f *Features, label string, n int) []Reason {
	if x, ok := m.Model.(Explainer); ok {
		return x.Explain(f, label, n)
	}
	return nil
}

// TopCalibration maps the probability of a label, when it is the top one,
// to how often such predictions were right out of fold: a non-decreasing
// piecewise-linear map through X (ascending) and Y, flat beyond its ends.
// Class weights that balance the labels in training inflate the
// probabilities of rare labels; this map makes a top probability mean the
// same for every label, so that probabilities of different labels rank
// together (coverage at a precision, a single threshold).
type TopCalibration struct {
	X []float64 `json:"x"`
	Y []float64 `json:"y"`
}

// topCalibrationBins bounds the breakpoints of a TopCalibration: the
// predictions are first averaged in that many bins of equal counts.
const topCalibrationBins = 64

// FitTopCalibration fits each label's TopCalibration by isotonic
// regression (pool adjacent violators) of whether its top predictions were
// right on their probability; labels predicted fewer than
// minThresholdSupport times get none.
func FitTopCalibration(labels []string, outcomes []Scored) map[string]TopCalibration {
	byLabel := make([][]scoredPrediction, len(labels))
	for _, o := range outcomes {
		top := argmax(o.Probabilities)
		byLabel[top] = append(byLabel[top], scoredPrediction{o.Probabilities[top], o.Truth[0] == labels[top]})
	}
	out := make(map[string]TopCalibration)
	for i, preds := range byLabel {
		if len(preds) < minThresholdSupport {
			continue
		}
		sort.Slice(preds, func(a, b int) bool { return preds[a].p < preds[b].p })
		type block struct{ x, y, n float64 }
		var blocks []block
		bins := min(topCalibrationBins, len(preds))
		for from, b := 0, 1; from < len(preds); b++ {
			// A bin never splits equal probabilities: they must map alike.
			to := max(b*len(preds)/bins, from+1)
			for to < len(preds) && preds[to].p == preds[to-1].p {
				to++
			}
			var blk block
			hits := 0.0
			for _, p := range preds[from:to] {
				blk.x += float64(p.p)
				if p.correct {
					hits++
				}
			}
			blk.n = float64(to - from)
			blk.x /= blk.n
			// Half a hit of prior keeps a bin of all-right predictions under
			// 1, which a threshold could not tell from "never apply".
			blk.y = (hits + 0.5) / (blk.n + 1)
			blocks = append(blocks, blk)
			from = to
			for len(blocks) > 1 && blocks[len(blocks)-2].y >= blocks[len(blocks)-1].y {
				a, c := blocks[len(blocks)-2], blocks[len(blocks)-1]
				n := a.n + c.n
				blocks[len(blocks)-2] = block{x: (a.x*a.n + c.x*c.n) / n, y: (a.y*a.n + c.y*c.n) / n, n: n}
				blocks = blocks[:len(blocks)-1]
			}
		}
		var c TopCalibration
		for _, b := range blocks {
			c.X = append(c.X, b.x)
			c.Y = append(c.Y, b.y)
		}
		out[labels[i]] = c
	}
	return out
}

// at evaluates the map at x.
func (c TopCalibration) at(x float64) float64 {
	n := len(c.X)
	switch {
	case n == 0:
		return x
	case x <= c.X[0]:
		return c.Y[0]
	case x >= c.X[n-1]:
		return c.Y[n-1]
	}
	i := sort.SearchFloat64s(c.X, x) // c.X[i-1] < x <= c.X[i]
	t := (x - c.X[i-1]) / (c.X[i] - c.X[i-1])
	return c.Y[i-1] + t*(c.Y[i]-c.Y[i-1])
}

// calibrateTop replaces the top label's probability by its calibrated one
// and rescales the others to share the rest, keeping their proportions;
// the top label stays on top (its probability is raised to the least that
// keeps it there when the map would demote it).
func calibrateTop(p []float32, labels []string, maps map[string]TopCalibration) {
	top := argmax(p)
	c, ok := maps[labels[top]]
	if !ok || p[top] >= 1 {
		return
	}
	second := float32(0)
	for i, v := range p {
		if i != top && v > second {
			second = v
		}
	}
	pt := float64(p[top])
	q := c.at(pt)
	// q ≥ second·(1−q)/(1−pt) keeps the top label first.
	q = math.Max(q, float64(second)/(1-pt+float64(second))+1e-6)
	q = math.Min(q, 1)
	rest := (1 - q) / (1 - pt)
	for i := range p {
		if i == top {
			p[i] = float32(q)
		} else {
			p[i] = float32(float64(p[i]) * rest)
		}
	}
}
