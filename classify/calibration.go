package classify

import (
	"context"
	"math"
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
	mx := math.Inf(-1)
	z := make([]float64, len(p))
	for i, v := range p {
		z[i] = math.Log(max(float64(v), 1e-30)) / t
		mx = math.Max(mx, z[i])
	}
	sum := 0.0
	for i := range z {
		z[i] = math.Exp(z[i] - mx)
		sum += z[i]
	}
	for i := range p {
		p[i] = float32(z[i] / sum)
	}
}

// calibrated serves a model whose model.json carries a temperature: every
// probability it returns is tempered, so serving, evaluation and ensembles
// see the calibrated probabilities that thresholds were tuned on.
type calibrated struct {
	Model
	temperature float64
}

// Probabilities tempers the model's probabilities.
func (m calibrated) Probabilities(ctx context.Context, feats []*Features) ([][]float32, error) {
	probs, err := m.Model.Probabilities(ctx, feats)
	for _, p := range probs {
		Temper(p, m.temperature)
	}
	return probs, err
}

// Explain delegates to the model when it explains its decisions.
func (m calibrated) Explain(f *Features, label string, n int) []Reason {
	if x, ok := m.Model.(Explainer); ok {
		return x.Explain(f, label, n)
	}
	return nil
}
