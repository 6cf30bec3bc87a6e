// Package onnxgraph writes ONNX models: a small graph builder (initializers,
// nodes, inputs and outputs with symbolic batch dimensions) and the ready-made
// graphs served by commit-labeler's models. Models are written with opset 17
// and IR version 8, which every ONNX Runtime release since 1.14 reads.
package onnxgraph

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/advancedclimatesystems/gonnx/onnx"
	"google.golang.org/protobuf/proto"
)

// Versions written into every model.
const (
	// Opset is the default-domain operator set version.
	Opset = 17
	// IRVersion is the ONNX IR version (8 pairs with opset 17).
	IRVersion = 8
	// Producer names the writer in ModelProto.producer_name.
	Producer = "commit-labeler"
)

// DType is the element type of a tensor.
type DType int32

// Element types the models use.
const (
	Float32 = DType(onnx.TensorProto_FLOAT)
	Int64   = DType(onnx.TensorProto_INT64)
)

// Dim is one dimension of a declared input or output: a fixed size or a
// symbolic name such as "batch" that ONNX Runtime binds per call.
type Dim struct {
	Size  int64
	Param string
}

// Fixed is a dimension of known size.
func Fixed(size int) Dim { return Dim{Size: int64(size)} }

// Symbolic is a dimension known only at run time, named for readers of the model.
func Symbolic(name string) Dim { return Dim{Param: name} }

// Graph builds one ONNX graph. The zero value is not usable: call NewGraph.
// Methods record the first error (a bad shape or a duplicate name) and
// Model, Marshal and WriteFile return it, so a constructor can chain calls.
type Graph struct {
	proto *onnx.GraphProto
	names map[string]bool
	next  int
	err   error
}

// NewGraph returns an empty graph with the given name.
func NewGraph(name string) *Graph {
	return &Graph{proto: &onnx.GraphProto{Name: name}, names: map[string]bool{}}
}

// Err returns the first error recorded while building.
func (g *Graph) Err() error { return g.err }

func (g *Graph) fail(format string, args ...any) {
	if g.err == nil {
		g.err = fmt.Errorf("onnxgraph %s: "+format, append([]any{g.proto.Name}, args...)...)
	}
}

// claim reserves a value name, recording an error when it is taken.
func (g *Graph) claim(name string) string {
	if g.names[name] {
		g.fail("value name %q used twice", name)
	}
	g.names[name] = true
	return name
}

// fresh returns an unused value name derived from op.
func (g *Graph) fresh(op string) string {
	for {
		g.next++
		name := fmt.Sprintf("%s_%d", op, g.next)
		if !g.names[name] {
			return name
		}
	}
}

// Float32Tensor adds a float32 initializer of the given shape and returns its name.
func (g *Graph) Float32Tensor(name string, shape []int64, data []float32) string {
	raw := make([]byte, 4*len(data))
	for i, v := range data {
		binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(v))
	}
	return g.initializer(name, Float32, shape, len(data), raw)
}

// Int64Tensor adds an int64 initializer of the given shape and returns its name.
func (g *Graph) Int64Tensor(name string, shape []int64, data []int64) string {
	raw := make([]byte, 8*len(data))
	for i, v := range data {
		binary.LittleEndian.PutUint64(raw[8*i:], uint64(v))
	}
	return g.initializer(name, Int64, shape, len(data), raw)
}

// Int64s adds a one-dimensional int64 constant (axes, shapes) under a fresh name.
func (g *Graph) Int64s(values ...int64) string {
	return g.Int64Tensor(g.fresh("const"), []int64{int64(len(values))}, values)
}

// Scalar adds a float32 scalar constant under a fresh name.
func (g *Graph) Scalar(v float32) string {
	return g.Float32Tensor(g.fresh("const"), nil, []float32{v})
}

func (g *Graph) initializer(name string, dtype DType, shape []int64, n int, raw []byte) string {
	size := int64(1)
	for _, d := range shape {
		size *= d
	}
	if size != int64(n) {
		g.fail("initializer %q: shape %v holds %d values, got %d", name, shape, size, n)
	}
	g.proto.Initializer = append(g.proto.Initializer, &onnx.TensorProto{
		Name:     g.claim(name),
		DataType: int32(dtype),
		Dims:     append([]int64(nil), shape...),
		RawData:  raw,
	})
	return name
}

// Node adds an operator with one output and returns the output's name: out,
// or a fresh name when out is empty.
func (g *Graph) Node(out, op string, inputs []string, attrs ...*onnx.AttributeProto) string {
	if out == "" {
		out = g.fresh(op)
	}
	for _, in := range inputs {
		if in != "" && !g.names[in] {
			g.fail("%s node: input %q is not defined yet", op, in)
		}
	}
	g.proto.Node = append(g.proto.Node, &onnx.NodeProto{
		Name:      fmt.Sprintf("%s_node_%d", op, len(g.proto.Node)),
		OpType:    op,
		Input:     inputs,
		Output:    []string{g.claim(out)},
		Attribute: attrs,
	})
	return out
}

// Input declares a graph input and returns its name.
func (g *Graph) Input(name string, dtype DType, dims ...Dim) string {
	g.proto.Input = append(g.proto.Input, valueInfo(g.claim(name), dtype, dims))
	return name
}

// Output declares an existing value as a graph output.
func (g *Graph) Output(name string, dtype DType, dims ...Dim) {
	if !g.names[name] {
		g.fail("output %q is not defined", name)
	}
	g.proto.Output = append(g.proto.Output, valueInfo(name, dtype, dims))
}

func valueInfo(name string, dtype DType, dims []Dim) *onnx.ValueInfoProto {
	shape := &onnx.TensorShapeProto{}
	for _, d := range dims {
		dim := &onnx.TensorShapeProto_Dimension{}
		if d.Param != "" {
			dim.Value = &onnx.TensorShapeProto_Dimension_DimParam{DimParam: d.Param}
		} else {
			dim.Value = &onnx.TensorShapeProto_Dimension_DimValue{DimValue: d.Size}
		}
		shape.Dim = append(shape.Dim, dim)
	}
	return &onnx.ValueInfoProto{
		Name: name,
		Type: &onnx.TypeProto{Value: &onnx.TypeProto_TensorType{
			TensorType: &onnx.TypeProto_Tensor{ElemType: int32(dtype), Shape: shape},
		}},
	}
}

// IntAttr is an integer node attribute.
func IntAttr(name string, v int64) *onnx.AttributeProto {
	return &onnx.AttributeProto{Name: name, Type: onnx.AttributeProto_INT, I: v}
}

// FloatAttr is a float node attribute.
func FloatAttr(name string, v float32) *onnx.AttributeProto {
	return &onnx.AttributeProto{Name: name, Type: onnx.AttributeProto_FLOAT, F: v}
}

// Model returns the graph wrapped in a model with every tensor inline.
func (g *Graph) Model() (*onnx.ModelProto, error) {
	if g.err != nil {
		return nil, g.err
	}
	if len(g.proto.Output) == 0 {
		return nil, fmt.Errorf("onnxgraph %s: no output declared", g.proto.Name)
	}
	return &onnx.ModelProto{
		IrVersion:    IRVersion,
		ProducerName: Producer,
		OpsetImport:  []*onnx.OperatorSetIdProto{{Domain: "", Version: Opset}},
		Graph:        g.proto,
	}, nil
}

// Marshal returns the model's protobuf encoding with every tensor inline.
func (g *Graph) Marshal() ([]byte, error) {
	m, err := g.Model()
	if err != nil {
		return nil, err
	}
	b, err := proto.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("onnxgraph %s: marshal: %w", g.proto.Name, err)
	}
	return b, nil
}
