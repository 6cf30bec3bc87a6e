package onnxgraph

import (
	"fmt"

	"github.com/advancedclimatesystems/gonnx/onnx"
)

// InputMemberProbabilities holds the stacked probabilities of an ensemble's
// members, float32 [M, N, L], each aligned to the ensemble's labels.
const InputMemberProbabilities = "member_probabilities"

// EnsembleCombiner is the graph of an ensemble model: it combines the
// members' probabilities (InputMemberProbabilities) into OutputProbabilities
// [N, L].
//
// Without majority it is the weighted mean Σ_m weights[m]·p_m (weights are
// normalised to sum to 1). With majority each member votes for its top label
// (the first on a tie), votes are weighted the same way, and the weighted
// mean of the probabilities is added at half the smallest weight, so that
// with equal weights (a plain majority, where vote counts differ by at least
// one vote) it only orders labels with equal votes; the result is
// renormalised to sum to 1.
func EnsembleCombiner(weights []float32, labels int, majority bool) (*Graph, error) {
	if len(weights) == 0 || labels <= 0 {
		return nil, fmt.Errorf("onnxgraph: ensemble of %d members over %d labels", len(weights), labels)
	}
	var total float32
	for i, w := range weights {
		if w < 0 {
			return nil, fmt.Errorf("onnxgraph: ensemble weight %d is negative (%g)", i, w)
		}
		total += w
	}
	if total <= 0 {
		return nil, fmt.Errorf("onnxgraph: ensemble weights sum to %g", total)
	}
	m := len(weights)
	norm := make([]float32, m)
	for i, w := range weights {
		norm[i] = w / total
	}
	g := NewGraph("ensemble")
	probs := g.Input(InputMemberProbabilities, Float32, Fixed(m), Symbolic(batchDim), Fixed(labels))
	w := g.Float32Tensor("member_weights", []int64{int64(m), 1, 1}, norm)
	soft := g.weightedMemberSum(probs, w)
	out := soft
	if majority {
		top := g.Node("", "ArgMax", []string{probs}, IntAttr("axis", 2), IntAttr("keepdims", 1)) // [M, N, 1]
		columns := make([]int64, labels)
		for i := range columns {
			columns[i] = int64(i)
		}
		hit := g.Node("", "Equal", []string{top, g.Int64Tensor("label_columns", []int64{int64(labels)}, columns)})
		votes := g.weightedMemberSum(g.Node("", "Cast", []string{hit}, IntAttr("to", int64(onnx.TensorProto_FLOAT))), w)
		tie := minPositive(norm) / 2
		mixed := g.Node("", "Add", []string{votes, g.Node("", "Mul", []string{soft, g.Scalar(tie)})})
		out = g.Node("", "Div", []string{mixed, g.Scalar(1 + tie)})
	}
	g.Node(OutputProbabilities, "Identity", []string{out})
	g.Output(OutputProbabilities, Float32, Symbolic(batchDim), Fixed(labels))
	return g, g.Err()
}

// weightedMemberSum returns Σ_m w[m]·x[m], of shape [N, L].
func (g *Graph) weightedMemberSum(x, w string) string {
	return g.Node("", "ReduceSum", []string{g.Node("", "Mul", []string{x, w}), g.Int64s(0)}, IntAttr("keepdims", 0))
}

func minPositive(xs []float32) float32 {
	best := float32(1)
	for _, x := range xs {
		if x > 0 && x < best {
			best = x
		}
	}
	return best
}
