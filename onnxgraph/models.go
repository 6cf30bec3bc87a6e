package onnxgraph

import (
	"fmt"

	"github.com/advancedclimatesystems/gonnx/onnx"
)

// Input and output names of the ready-made graphs.
const (
	// InputIndices holds feature indices, int64 [N, K]; padding uses index 0 with value 0.
	InputIndices = "indices"
	// InputValues holds the feature values matching InputIndices, float32 [N, K].
	InputValues = "values"
	// InputFeatures holds dense features (sentence embeddings), float32 [N, F].
	InputFeatures = "features"
	// OutputLogits holds the raw label scores, float32 [N, L].
	OutputLogits = "logits"
	// OutputProbabilities holds the label probabilities, float32 [N, L].
	OutputProbabilities = "probabilities"
)

// Batch and non-zero dimensions named in the graphs' signatures.
const (
	batchDim   = "batch"
	nonZeroDim = "nonzeros"
)

// Activation turns logits into probabilities.
type Activation int

const (
	// Softmax: one label per sample (multinomial).
	Softmax Activation = iota
	// Sigmoid: each label on its own (one-vs-rest).
	Sigmoid
)

// String names the ONNX operator.
func (a Activation) String() string {
	if a == Sigmoid {
		return "Sigmoid"
	}
	return "Softmax"
}

// Matrix is a row-major float32 matrix.
type Matrix struct {
	Rows, Cols int
	Data       []float32
}

func (m Matrix) shape() []int64 { return []int64{int64(m.Rows), int64(m.Cols)} }

func (m Matrix) check(what string) error {
	if m.Rows <= 0 || m.Cols <= 0 || len(m.Data) != m.Rows*m.Cols {
		return fmt.Errorf("onnxgraph: %s: %d×%d matrix with %d values", what, m.Rows, m.Cols, len(m.Data))
	}
	return nil
}

// Dense is a fully connected layer y = x·W + B with W of shape [in, out].
type Dense struct {
	W Matrix
	B []float32
}

func (d Dense) check(what string, in int) error {
	if err := d.W.check(what); err != nil {
		return err
	}
	if d.W.Rows != in {
		return fmt.Errorf("onnxgraph: %s takes %d inputs, the layer before gives %d", what, d.W.Rows, in)
	}
	if len(d.B) != d.W.Cols {
		return fmt.Errorf("onnxgraph: %s: %d outputs but %d biases", what, d.W.Cols, len(d.B))
	}
	return nil
}

// SparseLinear is a linear model over a padded sparse feature vector:
// logits[n] = Σ_k values[n,k]·weights[indices[n,k], :] + bias, and
// probabilities through act.
func SparseLinear(weights Matrix, bias []float32, act Activation) (*Graph, error) {
	out := Dense{W: weights, B: bias}
	if err := out.check("sparse linear weights", weights.Rows); err != nil {
		return nil, err
	}
	g := NewGraph("sparse_linear")
	w := g.Float32Tensor("weights", weights.shape(), weights.Data)
	sum := g.weightedRowSum(w)
	logits := g.Node(OutputLogits, "Add", []string{sum, g.Float32Tensor("bias", []int64{int64(len(bias))}, bias)})
	return g.finish(logits, weights.Cols, act)
}

// SparseEmbeddingMLP is a fastText-style model: the values-weighted average of
// the embedding rows of the sparse features, then hidden layers (ReLU), then
// out to logits and probabilities through act.
func SparseEmbeddingMLP(embedding Matrix, hidden []Dense, out Dense, act Activation) (*Graph, error) {
	if err := embedding.check("embedding"); err != nil {
		return nil, err
	}
	if err := checkLayers(embedding.Cols, hidden, out); err != nil {
		return nil, err
	}
	g := NewGraph("sparse_embedding_mlp")
	e := g.Float32Tensor("embedding", embedding.shape(), embedding.Data)
	sum := g.weightedRowSum(e)
	total := g.Node("", "ReduceSum", []string{InputValues, g.Int64s(1)}, IntAttr("keepdims", 1))
	// An empty commit has no features: divide by a tiny floor instead of 0.
	total = g.Node("", "Max", []string{total, g.Scalar(1e-12)})
	mean := g.Node("", "Div", []string{sum, total})
	return g.finish(g.layers(mean, hidden, out), out.W.Cols, act)
}

// DenseMLP is a classifier head over dense features (sentence embeddings):
// hidden layers (ReLU), then out to logits and probabilities through act.
func DenseMLP(features int, hidden []Dense, out Dense, act Activation) (*Graph, error) {
	if err := checkLayers(features, hidden, out); err != nil {
		return nil, err
	}
	g := NewGraph("dense_mlp")
	x := g.Input(InputFeatures, Float32, Symbolic(batchDim), Fixed(features))
	return g.finish(g.layers(x, hidden, out), out.W.Cols, act)
}

func checkLayers(in int, hidden []Dense, out Dense) error {
	for i, h := range hidden {
		if err := h.check(fmt.Sprintf("hidden layer %d", i), in); err != nil {
			return err
		}
		in = h.W.Cols
	}
	return out.check("output layer", in)
}

// weightedRowSum declares the sparse inputs and returns
// Σ_k values[n,k]·table[indices[n,k], :], of shape [N, cols].
func (g *Graph) weightedRowSum(table string) string {
	indices, values := g.sparseInputs()
	return g.rowSum(table, indices, values)
}

// sparseInputs declares the padded sparse inputs indices and values.
func (g *Graph) sparseInputs() (indices, values string) {
	return g.Input(InputIndices, Int64, Symbolic(batchDim), Symbolic(nonZeroDim)),
		g.Input(InputValues, Float32, Symbolic(batchDim), Symbolic(nonZeroDim))
}

// rowSum returns Σ_k values[n,k]·table[indices[n,k], :], of shape [N, cols].
func (g *Graph) rowSum(table, indices, values string) string {
	rows := g.Node("", "Gather", []string{table, indices}, IntAttr("axis", 0))              // [N, K, C]
	weights := g.Node("", "Unsqueeze", []string{values, g.Int64s(2)})                       // [N, K, 1]
	weighted := g.Node("", "Mul", []string{rows, weights})                                  // [N, K, C]
	return g.Node("", "ReduceSum", []string{weighted, g.Int64s(1)}, IntAttr("keepdims", 0)) // [N, C]
}

// layers applies the hidden layers with ReLU, then out, naming the result logits.
func (g *Graph) layers(x string, hidden []Dense, out Dense) string {
	for i, h := range hidden {
		x = g.Node("", "Relu", []string{g.dense(x, fmt.Sprintf("hidden%d", i), h, "")})
	}
	return g.dense(x, "output", out, OutputLogits)
}

// dense adds x·W + B with initializers prefix_weight and prefix_bias.
func (g *Graph) dense(x, prefix string, d Dense, out string) string {
	w := g.Float32Tensor(prefix+"_weight", d.W.shape(), d.W.Data)
	b := g.Float32Tensor(prefix+"_bias", []int64{int64(len(d.B))}, d.B)
	return g.Node(out, "Add", []string{g.Node("", "MatMul", []string{x, w}), b})
}

// finish adds the probabilities and declares both outputs.
func (g *Graph) finish(logits string, labels int, act Activation) (*Graph, error) {
	var attrs []*onnx.AttributeProto
	if act == Softmax {
		attrs = append(attrs, IntAttr("axis", -1))
	}
	g.Node(OutputProbabilities, act.String(), []string{logits}, attrs...)
	g.Output(OutputLogits, Float32, Symbolic(batchDim), Fixed(labels))
	g.Output(OutputProbabilities, Float32, Symbolic(batchDim), Fixed(labels))
	return g, g.Err()
}
