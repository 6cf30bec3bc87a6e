package onnxgraph

import (
	"testing"

	"github.com/advancedclimatesystems/gonnx/onnx"
)

// TestMiniLML6Parameters: the shape's weights are all-MiniLM-L6-v2's
// (BertModel's 22,713,216 without the pooler's 147,840).
func TestMiniLML6Parameters(t *testing.T) {
	g, err := BertEncoder(MiniLML6)
	if err != nil {
		t.Fatal(err)
	}
	m, err := g.Model()
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, init := range m.Graph.Initializer {
		if init.DataType != int32(onnx.TensorProto_FLOAT) || len(init.Dims) == 0 {
			continue // constants: axes, shapes, scalars
		}
		size := int64(1)
		for _, d := range init.Dims {
			size *= d
		}
		n += size
	}
	if want := int64(22_713_216 - 147_840); n != want {
		t.Errorf("%d weights, want %d", n, want)
	}
}

func TestBertShapeChecked(t *testing.T) {
	small := TinyTransformer{Vocab: 10, Hidden: 6, Positions: 8}
	for _, s := range []BertShape{
		{TinyTransformer: small, Layers: 1, Heads: 4, Intermediate: 8}, // 4 does not divide 6
		{TinyTransformer: small, Heads: 2, Intermediate: 8},
		{TinyTransformer: TinyTransformer{Hidden: 6, Positions: 8}, Layers: 1, Heads: 2, Intermediate: 8},
	} {
		if _, err := BertEncoder(s); err == nil {
			t.Errorf("BertEncoder(%+v) accepted", s)
		}
	}
	if _, err := BertSequenceClassifier(BertShape{TinyTransformer: small, Layers: 1, Heads: 2, Intermediate: 8}, 0); err == nil {
		t.Error("a classifier without labels accepted")
	}
}
