package onnxgraph

import (
	"fmt"
	"math"

	"github.com/advancedclimatesystems/gonnx/onnx"
)

// BertShape sizes a graph with a BERT encoder's architecture: embeddings,
// then Layers blocks of multi-head self-attention and a GELU feed-forward
// layer, each with a residual connection and layer normalisation. Its
// weights are drawn from Seed: such a graph costs what a pretrained encoder
// of its shape costs to run, and knows nothing. It stands in for one where
// none can be downloaded, to measure time and memory.
type BertShape struct {
	TinyTransformer
	Layers       int // transformer blocks
	Heads        int // attention heads; Hidden must be a multiple
	Intermediate int // width of the feed-forward layer
}

// MiniLML6 is the shape of sentence-transformers/all-MiniLM-L6-v2, the
// encoder the README suggests for embed_mlp: 22.6 million weights
// (BertModel's 22.7 million without the pooler).
var MiniLML6 = BertShape{
	TinyTransformer: TinyTransformer{Vocab: 30522, Hidden: 384, Positions: 512, Seed: 6},
	Layers:          6, Heads: 12, Intermediate: 1536,
}

func (s BertShape) check() error {
	if err := s.TinyTransformer.check(); err != nil {
		return err
	}
	if s.Layers <= 0 || s.Heads <= 0 || s.Intermediate <= 0 || s.Hidden%s.Heads != 0 {
		return fmt.Errorf("onnxgraph: BERT shape needs positive layers, heads and intermediate width, and heads dividing hidden, got %+v", s)
	}
	return nil
}

// BertEncoder has the signature and the architecture of a BERT encoder
// export: input_ids, attention_mask and token_type_ids (int64 [B, T]) give
// last_hidden_state (float32 [B, T, Hidden]). See BertShape for its weights.
func BertEncoder(s BertShape) (*Graph, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	g := NewGraph("bert_encoder")
	g.bertBody(s, OutputLastHidden)
	g.Output(OutputLastHidden, Float32, Symbolic(batchDim), Symbolic(sequenceDim), Fixed(s.Hidden))
	return g, g.Err()
}

// BertSequenceClassifier has the signature and the architecture of a BERT
// sequence-classification export: input_ids, attention_mask and
// token_type_ids give logits (float32 [B, labels]) through the encoder,
// the tanh pooler over [CLS] and a linear classifier.
func BertSequenceClassifier(s BertShape, labels int) (*Graph, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	if labels <= 0 {
		return nil, fmt.Errorf("onnxgraph: BERT classifier needs labels, got %d", labels)
	}
	random := s.random(3)
	g := NewGraph("bert_sequence_classifier")
	hidden := g.bertBody(s, "")
	cls := g.Node("", "Gather", []string{hidden, g.Int64Tensor("cls_position", nil, []int64{0})}, IntAttr("axis", 1))
	pooled := g.Node("", "Tanh", []string{g.dense(cls, "pooler", Dense{W: random(s.Hidden, s.Hidden), B: filled(s.Hidden, 0)}, "")})
	g.dense(pooled, "classifier", Dense{W: random(s.Hidden, labels), B: filled(labels, 0)}, OutputLogits)
	g.Output(OutputLogits, Float32, Symbolic(batchDim), Fixed(labels))
	return g, g.Err()
}

// bertBody declares the three inputs and adds the embeddings and the
// layers, naming the last hidden state out (fresh when empty).
func (g *Graph) bertBody(s BertShape, out string) string {
	ids, mask, types := g.bertInputs()
	random := s.random(4)
	x := g.bertEmbeddings(s.TinyTransformer, random, ids, types)
	// Padding is kept out of attention by a large negative score, [B, 1, 1, T].
	keep := g.Node("", "Unsqueeze", []string{g.maskColumn(mask), g.Int64s(1)})
	keep = g.Node("", "Transpose", []string{keep}, IntsAttr("perm", 0, 1, 3, 2))
	padding := g.Node("", "Mul", []string{g.Node("", "Sub", []string{g.Scalar(1), keep}), g.Scalar(-1e4)})
	for i := range s.Layers {
		x = g.bertLayer(s, random, fmt.Sprintf("layer%d", i), x, padding)
	}
	if out == "" {
		return x
	}
	return g.Node(out, "Identity", []string{x})
}

// bertLayer adds one transformer block to x [B, T, Hidden].
func (g *Graph) bertLayer(s BertShape, random func(rows, cols int) Matrix, prefix, x, padding string) string {
	width := s.Hidden / s.Heads
	linear := func(in, name string, rows, cols int) string {
		return g.dense(in, prefix+"_"+name, Dense{W: random(rows, cols), B: filled(cols, 0)}, "")
	}
	// heads splits a projection of x into [B, Heads, T, width].
	heads := func(name string, perm ...int64) string {
		split := g.Node("", "Reshape", []string{linear(x, name, s.Hidden, s.Hidden), g.Int64s(0, 0, int64(s.Heads), int64(width))})
		return g.Node("", "Transpose", []string{split}, IntsAttr("perm", perm...))
	}
	q, k, v := heads("query", 0, 2, 1, 3), heads("key", 0, 2, 3, 1), heads("value", 0, 2, 1, 3)
	scores := g.Node("", "Mul", []string{g.Node("", "MatMul", []string{q, k}), g.Scalar(float32(1 / math.Sqrt(float64(width))))})
	weights := g.Node("", "Softmax", []string{g.Node("", "Add", []string{scores, padding})}, IntAttr("axis", -1))
	context := g.Node("", "Transpose", []string{g.Node("", "MatMul", []string{weights, v})}, IntsAttr("perm", 0, 2, 1, 3))
	context = g.Node("", "Reshape", []string{context, g.Int64s(0, 0, int64(s.Hidden))})
	attended := g.Node("", "Add", []string{x, linear(context, "attention_output", s.Hidden, s.Hidden)})
	x = g.layerNorm(attended, prefix+"_attention_layer_norm", s.Hidden)

	inner := g.gelu(linear(x, "intermediate", s.Hidden, s.Intermediate))
	return g.layerNorm(g.Node("", "Add", []string{x, linear(inner, "output", s.Intermediate, s.Hidden)}), prefix+"_output_layer_norm", s.Hidden)
}

// gelu is BERT's exact GELU, x·½(1 + erf(x/√2)), in opset 17 operators
// (ONNX Runtime fuses it into one kernel).
func (g *Graph) gelu(x string) string {
	erf := g.Node("", "Erf", []string{g.Node("", "Mul", []string{x, g.Scalar(float32(1 / math.Sqrt2))})})
	half := g.Node("", "Mul", []string{x, g.Scalar(0.5)})
	return g.Node("", "Mul", []string{half, g.Node("", "Add", []string{erf, g.Scalar(1)})})
}

// IntsAttr is an integer-list node attribute.
func IntsAttr(name string, v ...int64) *onnx.AttributeProto {
	return &onnx.AttributeProto{Name: name, Type: onnx.AttributeProto_INTS, Ints: v}
}
