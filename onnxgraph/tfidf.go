package onnxgraph

import "fmt"

// TfidfSparseLinear is a linear model over TF-IDF weighted, L2-normalised
// sparse features: the inputs carry raw term weights (indices, values);
// the graph multiplies each by idf[index], divides the row by its L2 norm,
// then computes logits = x·weights + bias and probabilities through act.
// Keeping the IDF table in the graph makes model.onnx the whole model.
func TfidfSparseLinear(idf []float32, weights Matrix, bias []float32, act Activation) (*Graph, error) {
	if len(idf) != weights.Rows {
		return nil, fmt.Errorf("onnxgraph: %d IDF values for %d weight rows", len(idf), weights.Rows)
	}
	out := Dense{W: weights, B: bias}
	if err := out.check("tfidf linear weights", weights.Rows); err != nil {
		return nil, err
	}
	g := NewGraph("tfidf_sparse_linear")
	indices, values := g.sparseInputs()
	idfs := g.Node("", "Gather", []string{g.Float32Tensor("idf", []int64{int64(len(idf))}, idf), indices}, IntAttr("axis", 0))
	x := g.Node("", "Mul", []string{values, idfs})
	squares := g.Node("", "Mul", []string{x, x})
	sum := g.Node("", "ReduceSum", []string{squares, g.Int64s(1)}, IntAttr("keepdims", 1))
	// An empty commit has no features: divide by a tiny floor instead of 0.
	norm := g.Node("", "Sqrt", []string{g.Node("", "Max", []string{sum, g.Scalar(1e-24)})})
	normalised := g.Node("", "Div", []string{x, norm})
	w := g.Float32Tensor("weights", weights.shape(), weights.Data)
	logits := g.Node(OutputLogits, "Add", []string{g.rowSum(w, indices, normalised), g.Float32Tensor("bias", []int64{int64(len(bias))}, bias)})
	return g.finish(logits, weights.Cols, act)
}
