package onnxgraph

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/advancedclimatesystems/gonnx/onnx"
	"google.golang.org/protobuf/proto"
)

func TestBuilderRecordsFirstError(t *testing.T) {
	tests := []struct {
		name  string
		build func(g *Graph)
		want  string
	}{
		{"shape mismatch", func(g *Graph) { g.Float32Tensor("w", []int64{2, 2}, []float32{1}) }, "shape [2 2] holds 4 values, got 1"},
		{"duplicate name", func(g *Graph) { g.Input("x", Float32); g.Int64Tensor("x", nil, []int64{1}) }, `"x" used twice`},
		{"undefined input", func(g *Graph) { g.Node("y", "Relu", []string{"nope"}) }, `input "nope" is not defined`},
		{"undefined output", func(g *Graph) { g.Output("nope", Float32) }, `output "nope" is not defined`},
		{"no output", func(g *Graph) { g.Input("x", Float32) }, "no output declared"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := NewGraph("g")
			tc.build(g)
			if _, err := g.Marshal(); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Marshal error %v, want %q", err, tc.want)
			}
		})
	}
}

func TestConstructorsRejectBadShapes(t *testing.T) {
	m := Matrix{Rows: 3, Cols: 2, Data: make([]float32, 6)}
	layer := Dense{W: Matrix{Rows: 2, Cols: 2, Data: make([]float32, 4)}, B: make([]float32, 2)}
	tests := []struct {
		name string
		err  error
	}{
		{"ragged matrix", errOf(SparseLinear(Matrix{Rows: 3, Cols: 2, Data: make([]float32, 5)}, make([]float32, 2), Softmax))},
		{"bias length", errOf(SparseLinear(m, make([]float32, 3), Softmax))},
		{"hidden input width", errOf(DenseMLP(3, []Dense{layer}, layer, Sigmoid))},
		{"output input width", errOf(SparseEmbeddingMLP(Matrix{Rows: 3, Cols: 5, Data: make([]float32, 15)}, nil, layer, Softmax))},
		{"no labels", errOf(TinySequenceClassifier(TinyTransformer{Vocab: 5, Hidden: 2, Positions: 4}, 0))},
		{"no vocabulary", errOf(TinyBertEncoder(TinyTransformer{Hidden: 2, Positions: 4}))},
	}
	for _, tc := range tests {
		if tc.err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
}

func errOf(_ *Graph, err error) error { return err }

func readModel(t *testing.T, dir string) *onnx.ModelProto {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, ModelFile))
	if err != nil {
		t.Fatal(err)
	}
	var m onnx.ModelProto
	if err := proto.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return &m
}

func TestWriteFileVersionsAndSignature(t *testing.T) {
	g, err := DenseMLP(4, nil, Dense{W: Matrix{Rows: 4, Cols: 3, Data: make([]float32, 12)}, B: make([]float32, 3)}, Softmax)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := g.WriteFile(dir); err != nil {
		t.Fatal(err)
	}
	m := readModel(t, dir)
	if m.IrVersion != IRVersion || len(m.OpsetImport) != 1 || m.OpsetImport[0].Version != Opset {
		t.Fatalf("ir %d opsets %v, want ir %d opset %d", m.IrVersion, m.OpsetImport, IRVersion, Opset)
	}
	in := m.Graph.Input[0].GetType().GetTensorType()
	if m.Graph.Input[0].Name != InputFeatures || in.Shape.Dim[0].GetDimParam() != batchDim || in.Shape.Dim[1].GetDimValue() != 4 {
		t.Errorf("input %v, want %s [%s, 4]", m.Graph.Input[0], InputFeatures, batchDim)
	}
	if _, err := os.Stat(filepath.Join(dir, ExternalDataFile)); !os.IsNotExist(err) {
		t.Errorf("inline model wrote %s (stat: %v)", ExternalDataFile, err)
	}
}

// Tensors above the threshold move to the data file at aligned offsets;
// the others stay inline.
func TestWriteFileExternalData(t *testing.T) {
	g := NewGraph("split")
	big1 := make([]float32, 3000)
	big2 := make([]float32, 1000)
	for i := range big1 {
		big1[i] = float32(i)
	}
	for i := range big2 {
		big2[i] = -float32(i)
	}
	a := g.Float32Tensor("big1", []int64{3000}, big1)
	b := g.Float32Tensor("big2", []int64{1000}, big2)
	c := g.Float32Tensor("small", []int64{2}, []float32{1, 2})
	g.Node("out", "Concat", []string{a, b, c}, IntAttr("axis", 0))
	g.Output("out", Float32, Fixed(4002))
	dir := t.TempDir()
	if err := g.WriteFile(dir, ExternalDataAbove(1024)); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, ExternalDataFile))
	if err != nil {
		t.Fatal(err)
	}
	m := readModel(t, dir)
	want := map[string][]byte{}
	for _, init := range g.proto.Initializer {
		want[init.Name] = init.RawData
	}
	for _, tensor := range m.Graph.Initializer {
		if tensor.Name == "small" {
			if tensor.DataLocation != onnx.TensorProto_DEFAULT || len(tensor.RawData) != 8 {
				t.Errorf("small tensor moved out: %v", tensor)
			}
			continue
		}
		if tensor.DataLocation != onnx.TensorProto_EXTERNAL || tensor.RawData != nil {
			t.Fatalf("%s not external: %v", tensor.Name, tensor)
		}
		entries := map[string]string{}
		for _, e := range tensor.ExternalData {
			entries[e.Key] = e.Value
		}
		offset, _ := strconv.Atoi(entries["offset"])
		length, _ := strconv.Atoi(entries["length"])
		if entries["location"] != ExternalDataFile || offset%externalAlignment != 0 {
			t.Errorf("%s: external data %v, want location %s at an aligned offset", tensor.Name, entries, ExternalDataFile)
		}
		if got := data[offset : offset+length]; string(got) != string(want[tensor.Name]) {
			t.Errorf("%s: bytes at offset %d differ from the tensor", tensor.Name, offset)
		}
	}
	if len(g.proto.Initializer[0].RawData) == 0 {
		t.Error("WriteFile emptied the graph's own tensors")
	}
}
