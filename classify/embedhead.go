package classify

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/commit-labeler/commit-labeler/onnxgraph"
)

// mlpHead is a classifier head trained in Go: dense layers with ReLU between
// them, softmax over the last one. The embedding kinds train it by
// per-example SGD and export its layers to ONNX as they are.
type mlpHead struct {
	layers []onnxgraph.Dense // hidden layers, then the output layer
}

// newMLPHead initialises a head of in inputs, hidden layers and labels
// outputs with Glorot-uniform weights and zero biases.
func newMLPHead(in int, hidden []int, labels int, rng *rand.Rand) *mlpHead {
	h := &mlpHead{}
	for _, out := range append(append([]int(nil), hidden...), labels) {
		limit := math.Sqrt(6 / float64(in+out))
		w := onnxgraph.Matrix{Rows: in, Cols: out, Data: make([]float32, in*out)}
		for i := range w.Data {
			w.Data[i] = float32((rng.Float64()*2 - 1) * limit)
		}
		h.layers = append(h.layers, onnxgraph.Dense{W: w, B: make([]float32, out)})
		in = out
	}
	return h
}

// hidden returns the hidden layers and the output layer, as onnxgraph takes them.
func (h *mlpHead) split() (hidden []onnxgraph.Dense, out onnxgraph.Dense) {
	return h.layers[:len(h.layers)-1], h.layers[len(h.layers)-1]
}

// clone deep-copies the head, to keep the best epoch's weights.
func (h *mlpHead) clone() *mlpHead {
	c := &mlpHead{layers: make([]onnxgraph.Dense, len(h.layers))}
	for i, l := range h.layers {
		l.W.Data = append([]float32(nil), l.W.Data...)
		l.B = append([]float32(nil), l.B...)
		c.layers[i] = l
	}
	return c
}

// activations holds a forward pass: acts[0] is the input, acts[i+1] the
// output of layer i (after ReLU for hidden layers); the last holds the
// probabilities.
type activations [][]float32

func (h *mlpHead) newActivations(in int) activations {
	acts := activations{make([]float32, in)}
	for _, l := range h.layers {
		acts = append(acts, make([]float32, l.W.Cols))
	}
	return acts
}

// forward fills acts from acts[0] and returns the probabilities (the last
// activation, softmax of the logits).
func (h *mlpHead) forward(acts activations) []float32 {
	for li, l := range h.layers {
		x, y := acts[li], acts[li+1]
		copy(y, l.B)
		for i, xi := range x {
			if xi == 0 {
				continue
			}
			row := l.W.Data[i*l.W.Cols : (i+1)*l.W.Cols]
			for j, w := range row {
				y[j] += xi * w
			}
		}
		if li < len(h.layers)-1 {
			for j := range y {
				y[j] = max(y[j], 0)
			}
		}
	}
	p := acts[len(acts)-1]
	softmax(p)
	return p
}

// softmax turns logits into probabilities in place.
func softmax(v []float32) {
	m := v[0]
	for _, x := range v {
		m = max(m, x)
	}
	var sum float64
	for i, x := range v {
		e := math.Exp(float64(x - m))
		v[i] = float32(e)
		sum += e
	}
	for i := range v {
		v[i] = float32(float64(v[i]) / sum)
	}
}

// backward takes the gradient of the loss with respect to the logits (in
// grad, overwritten), applies an SGD step of rate lr to every layer and
// returns the gradient with respect to the input in dx (unless dx is nil).
func (h *mlpHead) backward(acts activations, grad, dx []float32, lr float32) {
	for li := len(h.layers) - 1; li >= 0; li-- {
		l := h.layers[li]
		x := acts[li]
		in := dx
		if li > 0 {
			in = make([]float32, len(x))
		}
		for i, xi := range x {
			row := l.W.Data[i*l.W.Cols : (i+1)*l.W.Cols]
			var s float32
			for j, g := range grad {
				s += row[j] * g
				row[j] -= lr * xi * g
			}
			if in != nil {
				in[i] = s
			}
		}
		for j, g := range grad {
			l.B[j] -= lr * g
		}
		if li > 0 {
			for i := range in {
				if x[i] <= 0 { // ReLU
					in[i] = 0
				}
			}
			grad = in
		}
	}
}

// SGDSchedule is the shared part of the embedding kinds' training
// configuration: epochs, learning rate and early stopping.
type SGDSchedule struct {
	// Epochs is the most passes over the training examples.
	Epochs int `json:"epochs"`
	// Patience stops training after that many epochs without a better
	// validation macro-F1 (0: never stop early).
	Patience int `json:"patience"`
	// LearningRate starts the SGD rate, which decays linearly to 0 over Epochs.
	LearningRate float64 `json:"learning_rate"`
	// BalanceClasses weighs each example by (n / (labels · n_label))^½,
	// which trades a little accuracy for the rare labels' recall (macro-F1).
	BalanceClasses bool `json:"balance_classes"`
}

// sgdModel is what fitSGD trains: a model updated one example at a time
// that can score examples and save and restore its best weights.
type sgdModel interface {
	// step trains on training example i (its label index y, weight w).
	step(i, y int, w, lr float32)
	// probabilities scores validation example i; it must be safe for
	// concurrent use between steps.
	probabilities(i int) []float32
	// keep saves the current weights as the best; restore brings them back.
	keep()
	restore()
}

// fitSGD trains m by per-example SGD over the training labels ys (indices
// into labels; -1 skips an example) in an order shuffled each epoch from
// seed, stopping early when the validation macro-F1 (over valid, scored by
// m.probabilities) stops improving; m ends with the best epoch's weights.
// It returns the epochs run and the best validation macro-F1.
func fitSGD(ctx context.Context, m sgdModel, s SGDSchedule, seed int64, labels []string, ys []int, valid []Example) (epochs int, best float64, err error) {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x5eed))
	weights := classWeights(ys, len(labels), s.BalanceClasses)
	order := make([]int, 0, len(ys))
	for i, y := range ys {
		if y >= 0 {
			order = append(order, i)
		}
	}
	if len(order) == 0 {
		return 0, 0, fmt.Errorf("no training example has one of the labels %v", labels)
	}
	total := float64(s.Epochs * len(order))
	best, bad := -1.0, 0
	for epochs < s.Epochs {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for n, i := range order {
			if n%4096 == 0 {
				if err := ctx.Err(); err != nil {
					return epochs, best, err
				}
			}
			done := float64(epochs*len(order) + n)
			lr := float32(s.LearningRate * max(1-done/total, 1e-4))
			m.step(i, ys[i], weights[ys[i]], lr)
		}
		epochs++
		if len(valid) == 0 {
			continue
		}
		score := Evaluate(labels, scoreParallel(m.probabilities, valid)).MacroF1
		if score > best {
			best, bad = score, 0
			m.keep()
		} else if bad++; s.Patience > 0 && bad >= s.Patience {
			break
		}
	}
	if len(valid) > 0 {
		m.restore()
	}
	return epochs, best, nil
}

// classWeights returns each label's example weight: 1, or with balance
// (n / (labels · n_label))^½.
func classWeights(ys []int, labels int, balance bool) []float32 {
	w := make([]float32, labels)
	counts := make([]int, labels)
	n := 0
	for _, y := range ys {
		if y >= 0 {
			counts[y]++
			n++
		}
	}
	for i := range w {
		w[i] = 1
		if balance && counts[i] > 0 {
			w[i] = float32(math.Sqrt(float64(n) / float64(labels*counts[i])))
		}
	}
	return w
}

// scoreParallel scores examples with probs on every CPU; the outcome of
// example i is at index i, so the result does not depend on scheduling.
func scoreParallel(probs func(i int) []float32, examples []Example) []Scored {
	out := make([]Scored, len(examples))
	parallelFor(len(examples), func(i int) {
		out[i] = Scored{Truth: examples[i].Labels, Probabilities: probs(i)}
	})
	return out
}

// labelIndices maps each example's first label to its column in labels
// (-1 when the labels do not have it).
func labelIndices(labels []string, examples []Example) []int {
	col := make(map[string]int, len(labels))
	for i, l := range labels {
		col[l] = i
	}
	ys := make([]int, len(examples))
	for i, e := range examples {
		ys[i] = -1
		if len(e.Labels) > 0 {
			if c, ok := col[e.Labels[0]]; ok {
				ys[i] = c
			}
		}
	}
	return ys
}
