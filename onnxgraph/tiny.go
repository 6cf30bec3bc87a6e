package onnxgraph

import (
	"fmt"
	"math/rand/v2"

	"github.com/advancedclimatesystems/gonnx/onnx"
)

// Input and output names of Hugging Face transformer exports.
const (
	InputIDs           = "input_ids"
	InputAttentionMask = "attention_mask"
	InputTokenTypeIDs  = "token_type_ids"
	OutputLastHidden   = "last_hidden_state"
)

const sequenceDim = "sequence"

// TinyTransformer sizes a tiny transformer-shaped graph for tests. Weights
// are drawn from Seed, so a fixture is the same on every run.
type TinyTransformer struct {
	Vocab     int // rows of the word embedding
	Hidden    int // width of the hidden states
	Positions int // longest sequence
	Seed      uint64
}

func (c TinyTransformer) check() error {
	if c.Vocab <= 0 || c.Hidden <= 0 || c.Positions <= 0 {
		return fmt.Errorf("onnxgraph: tiny transformer needs positive sizes, got %+v", c)
	}
	return nil
}

func (c TinyTransformer) random(salt uint64) func(rows, cols int) Matrix {
	r := rand.New(rand.NewPCG(c.Seed, salt))
	return func(rows, cols int) Matrix {
		m := Matrix{Rows: rows, Cols: cols, Data: make([]float32, rows*cols)}
		for i := range m.Data {
			m.Data[i] = float32(r.NormFloat64() * 0.5)
		}
		return m
	}
}

// TinyBertEncoder has the signature of a BERT encoder export: input_ids,
// attention_mask and token_type_ids (int64 [B, T]) give last_hidden_state
// (float32 [B, T, Hidden]): word + position + type embeddings, layer
// normalisation, one dense layer with tanh, zeroed at masked positions.
func TinyBertEncoder(c TinyTransformer) (*Graph, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	random := c.random(1)
	g := NewGraph("tiny_bert_encoder")
	ids, mask, types := g.bertInputs()
	normed := g.bertEmbeddings(c, random, ids, types)
	dense := g.dense(normed, "dense", Dense{W: random(c.Hidden, c.Hidden), B: random(1, c.Hidden).Data}, "")
	hidden := g.Node("", "Tanh", []string{dense})
	g.Node(OutputLastHidden, "Mul", []string{hidden, g.maskColumn(mask)})
	g.Output(OutputLastHidden, Float32, Symbolic(batchDim), Symbolic(sequenceDim), Fixed(c.Hidden))
	return g, g.Err()
}

// TinySequenceClassifier has the signature of a sequence-classification
// export: input_ids and attention_mask (int64 [B, T]) give logits (float32
// [B, labels]): the masked mean of word embeddings through a linear layer.
func TinySequenceClassifier(c TinyTransformer, labels int) (*Graph, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	if labels <= 0 {
		return nil, fmt.Errorf("onnxgraph: tiny classifier needs labels, got %d", labels)
	}
	random := c.random(2)
	g := NewGraph("tiny_sequence_classifier")
	ids := g.Input(InputIDs, Int64, Symbolic(batchDim), Symbolic(sequenceDim))
	mask := g.maskColumn(g.Input(InputAttentionMask, Int64, Symbolic(batchDim), Symbolic(sequenceDim)))

	words := g.embed("word_embeddings", random(c.Vocab, c.Hidden), ids)
	sum := g.Node("", "ReduceSum", []string{g.Node("", "Mul", []string{words, mask}), g.Int64s(1)}, IntAttr("keepdims", 0))
	count := g.Node("", "ReduceSum", []string{mask, g.Int64s(1)}, IntAttr("keepdims", 0))
	count = g.Node("", "Max", []string{count, g.Scalar(1)})
	mean := g.Node("", "Div", []string{sum, count})
	g.dense(mean, "classifier", Dense{W: random(c.Hidden, labels), B: random(1, labels).Data}, OutputLogits)
	g.Output(OutputLogits, Float32, Symbolic(batchDim), Fixed(labels))
	return g, g.Err()
}

// bertInputs declares a BERT export's three int64 [B, T] inputs.
func (g *Graph) bertInputs() (ids, mask, types string) {
	return g.Input(InputIDs, Int64, Symbolic(batchDim), Symbolic(sequenceDim)),
		g.Input(InputAttentionMask, Int64, Symbolic(batchDim), Symbolic(sequenceDim)),
		g.Input(InputTokenTypeIDs, Int64, Symbolic(batchDim), Symbolic(sequenceDim))
}

// bertEmbeddings is BERT's input layer: word, position and token type
// embeddings summed and layer-normalised, [B, T, Hidden].
func (g *Graph) bertEmbeddings(c TinyTransformer, random func(rows, cols int) Matrix, ids, types string) string {
	words := g.embed("word_embeddings", random(c.Vocab, c.Hidden), ids)
	shape := g.Node("", "Shape", []string{ids})
	length := g.Node("", "Gather", []string{shape, g.Int64Tensor("sequence_axis", nil, []int64{1})}, IntAttr("axis", 0))
	positions := g.Node("", "Range", []string{
		g.Int64Tensor("range_start", nil, []int64{0}), length, g.Int64Tensor("range_step", nil, []int64{1}),
	})
	sum := g.Node("", "Add", []string{words, g.embed("position_embeddings", random(c.Positions, c.Hidden), positions)})
	sum = g.Node("", "Add", []string{sum, g.embed("token_type_embeddings", random(2, c.Hidden), types)})
	return g.layerNorm(sum, "embeddings_layer_norm", c.Hidden)
}

// layerNorm normalises x's last axis (width wide) with a unit scale and a
// zero bias named after prefix.
func (g *Graph) layerNorm(x, prefix string, width int) string {
	return g.Node("", "LayerNormalization", []string{
		x,
		g.Float32Tensor(prefix+"_weight", []int64{int64(width)}, filled(width, 1)),
		g.Float32Tensor(prefix+"_bias", []int64{int64(width)}, filled(width, 0)),
	}, IntAttr("axis", -1), FloatAttr("epsilon", 1e-12))
}

// embed looks the ids up in a new embedding table.
func (g *Graph) embed(name string, table Matrix, ids string) string {
	return g.Node("", "Gather", []string{g.Float32Tensor(name, table.shape(), table.Data), ids}, IntAttr("axis", 0))
}

// maskColumn turns an int64 [B, T] mask into float32 [B, T, 1].
func (g *Graph) maskColumn(mask string) string {
	f := g.Node("", "Cast", []string{mask}, IntAttr("to", int64(onnx.TensorProto_FLOAT)))
	return g.Node("", "Unsqueeze", []string{f, g.Int64s(2)})
}

func filled(n int, v float32) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = v
	}
	return s
}
