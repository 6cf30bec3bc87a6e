package classify

import (
	"context"
	"math"
	"runtime"
	"sync"
)

// softmaxRegression is multinomial logistic regression over sparse
// vectors: the class-weighted cross-entropy with an L2 penalty on the
// weights (not the biases), in the form liblinear and scikit-learn
// minimise, C·Σᵢ wᵢ·CEᵢ + ½‖W − W₀‖², divided by C·Σᵢ wᵢ so that the
// objective is O(1) whatever the number of examples. W₀ is zero, or a prior
// the weights are drawn toward (a repository model learned from the global
// one). The parameters are laid out as the graph's weights, [dims × k]
// row-major, then the k biases.
type softmaxRegression struct {
	data    []labeledVector
	k, dims int
	// exampleWeights are each example's class weight.
	exampleWeights []float64
	weightSum      float64
	c              float64
	// prior, when set, are the parameters the penalty draws the weights
	// toward and the fit starts from.
	prior []float64
	// start, when set, is where the fit starts instead (a warmStart).
	start []float64
	// grads are each worker's gradient buffer.
	grads [][]float64
}

// newSoftmaxRegression sets up the objective; classWeightPower 1 weighs
// each class inversely to its frequency ("balanced"), 0 weighs every
// example alike.
func newSoftmaxRegression(data []labeledVector, k, dims int, c, classWeightPower float64) *softmaxRegression {
	counts, present := labelCounts(data, k)
	r := &softmaxRegression{data: data, k: k, dims: dims, c: c, exampleWeights: make([]float64, len(data))}
	for i, v := range data {
		w := math.Pow(float64(len(data))/(float64(present)*counts[v.label]), classWeightPower)
		r.exampleWeights[i] = w
		r.weightSum += w
	}
	workers := min(runtime.GOMAXPROCS(0), max(len(data)/512, 1))
	r.grads = make([][]float64, workers)
	for i := range r.grads {
		r.grads[i] = make([]float64, dims*k+k)
	}
	return r
}

// labelCounts counts the examples of each of k labels, and the labels
// that have any.
func labelCounts(data []labeledVector, k int) (counts []float64, present int) {
	counts = make([]float64, k)
	for _, v := range data {
		counts[v.label]++
	}
	for _, n := range counts {
		if n > 0 {
			present++
		}
	}
	return counts, present
}

// setWeights replaces the examples' weights (one per example, in order).
func (r *softmaxRegression) setWeights(w []float64) {
	r.exampleWeights, r.weightSum = w, 0
	for _, x := range w {
		r.weightSum += x
	}
}

// eval is the objective and its gradient at x, the examples split between
// the workers.
func (r *softmaxRegression) eval(x, grad []float64) float64 {
	workers := len(r.grads)
	losses := make([]float64, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			g := r.grads[w]
			clear(g)
			p := make([]float64, r.k)
			loss := 0.0
			for i := w; i < len(r.data); i += workers {
				v := &r.data[i]
				r.logits(x, &v.SparseVector, p)
				lse := logSumExp(p)
				loss += r.exampleWeights[i] * (lse - p[v.label])
				for c := range p {
					p[c] = math.Exp(p[c] - lse)
				}
				p[v.label]--
				for c := range p {
					p[c] *= r.exampleWeights[i]
				}
				scatter(g, v, p)
				bias := g[r.dims*r.k:]
				for c, pc := range p {
					bias[c] += pc
				}
			}
			losses[w] = loss
		})
	}
	wg.Wait()
	norm := 1 / r.weightSum
	penalty := 1 / (r.c * r.weightSum)
	loss := 0.0
	for _, l := range losses {
		loss += l
	}
	loss *= norm
	nw := r.dims * r.k
	penalties := make([]float64, vectorParts(len(grad)))
	inParts(len(grad), len(penalties), func(part, lo, hi int) {
		pen := 0.0
		for i := lo; i < hi; i++ {
			s := 0.0
			for _, g := range r.grads {
				s += g[i]
			}
			grad[i] = s * norm
			if i >= nw {
				continue // a bias: not penalised
			}
			v := x[i]
			if r.prior != nil {
				v -= r.prior[i]
			}
			grad[i] += penalty * v
			pen += 0.5 * penalty * v * v
		}
		penalties[part] = pen
	})
	for _, p := range penalties {
		loss += p
	}
	return loss
}

// logits writes the biases plus W·v into out.
func (r *softmaxRegression) logits(x []float64, v *SparseVector, out []float64) {
	k := len(out)
	copy(out, x[r.dims*k:])
	values := v.Values[:len(v.Indices)]
	for j, idx := range v.Indices {
		xv := float64(values[j])
		row := x[int(idx)*k : int(idx)*k+k]
		row = row[:len(out)] // proves the bounds of out[c] to the compiler
		for c, w := range row {
			out[c] += w * xv
		}
	}
}

// scatter adds p·v (the outer product) into the weight rows of g, the
// gradient's data term of one example.
func scatter(g []float64, v *labeledVector, p []float64) {
	k := len(p)
	values := v.Values[:len(v.Indices)]
	for j, idx := range v.Indices {
		xv := float64(values[j])
		row := g[int(idx)*k : int(idx)*k+k]
		row = row[:len(p)]
		for c, pc := range p {
			row[c] += pc * xv
		}
	}
}

// fit minimises the objective from start, else the prior, else zero, and returns the
// weights and biases as float32, the graph's type.
func (r *softmaxRegression) fit(ctx context.Context, o lbfgsOptions) (weights, bias []float32, res lbfgsResult, err error) {
	x := make([]float64, r.dims*r.k+r.k)
	if r.start != nil {
		copy(x, r.start)
	} else {
		copy(x, r.prior)
	}
	if res, err = minimizeLBFGS(ctx, x, r.eval, o); err != nil {
		return nil, nil, res, err
	}
	weights = make([]float32, r.dims*r.k)
	for i := range weights {
		weights[i] = float32(x[i])
	}
	bias = make([]float32, r.k)
	for i := range bias {
		bias[i] = float32(x[r.dims*r.k+i])
	}
	return weights, bias, res, nil
}

func logSumExp(p []float64) float64 {
	mx := math.Inf(-1)
	for _, v := range p {
		mx = math.Max(mx, v)
	}
	s := 0.0
	for _, v := range p {
		s += math.Exp(v - mx)
	}
	return mx + math.Log(s)
}
