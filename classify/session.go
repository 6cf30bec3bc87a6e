package classify

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	ort "github.com/yalue/onnxruntime_go"
)

// Session runs one ONNX model. It is safe for concurrent use: ONNX Runtime
// runs calls in parallel, each with its own input and output tensors.
type Session struct {
	path    string
	session *ort.DynamicAdvancedSession
	inputs  []ort.InputOutputInfo
	outputs []ort.InputOutputInfo
}

// OpenSession loads dir/model.onnx. InitRuntime must have succeeded. One
// call runs on one thread: classifying one commit is latency bound and
// batching gives throughput, while more threads per call contend with the
// other requests.
func OpenSession(dir string) (*Session, error) {
	path := filepath.Join(dir, ModelFile)
	if err := InitRuntime(); err != nil {
		return nil, fmt.Errorf("open model %s: %w", path, err)
	}
	options, err := ort.NewSessionOptions()
	if err != nil {
		return nil, fmt.Errorf("open model %s: session options: %w", path, err)
	}
	defer options.Destroy()
	if err := options.SetIntraOpNumThreads(1); err != nil {
		return nil, fmt.Errorf("open model %s: intra-op threads: %w", path, err)
	}
	if err := options.SetInterOpNumThreads(1); err != nil {
		return nil, fmt.Errorf("open model %s: inter-op threads: %w", path, err)
	}
	inputs, outputs, err := ort.GetInputOutputInfoWithOptions(path, options)
	if err != nil {
		return nil, fmt.Errorf("open model %s: %w", path, err)
	}
	session, err := ort.NewDynamicAdvancedSession(path, infoNames(inputs), infoNames(outputs), options)
	if err != nil {
		return nil, fmt.Errorf("open model %s: %w", path, err)
	}
	return &Session{path: path, session: session, inputs: inputs, outputs: outputs}, nil
}

func infoNames(infos []ort.InputOutputInfo) []string {
	names := make([]string, len(infos))
	for i, info := range infos {
		names[i] = info.Name
	}
	return names
}

// InputNames are the model's inputs in declaration order.
func (s *Session) InputNames() []string { return infoNames(s.inputs) }

// OutputNames are the model's outputs in declaration order.
func (s *Session) OutputNames() []string { return infoNames(s.outputs) }

// Close releases the session. No Run may be in progress or follow.
func (s *Session) Close() error {
	if err := s.session.Destroy(); err != nil {
		return fmt.Errorf("close model %s: %w", s.path, err)
	}
	return nil
}

// Run evaluates the model on one input per model input and returns every
// output, which must all be float32 tensors. Cancelling ctx stops a call in
// progress.
func (s *Session) Run(ctx context.Context, inputs ...Input) (map[string]Float32Tensor, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("run model %s: %w", s.path, err)
	}
	values, err := s.inputValues(inputs)
	defer destroyValues(values)
	if err != nil {
		return nil, fmt.Errorf("run model %s: %w", s.path, err)
	}
	outputs := make([]ort.Value, len(s.outputs))
	defer destroyValues(outputs)
	if err := s.run(ctx, values, outputs); err != nil {
		if ctx.Err() != nil {
			err = ctx.Err()
		}
		return nil, fmt.Errorf("run model %s: %w", s.path, err)
	}
	result := make(map[string]Float32Tensor, len(outputs))
	for i, v := range outputs {
		t, ok := v.(*ort.Tensor[float32])
		if !ok {
			return nil, fmt.Errorf("run model %s: output %q is %s, not a float32 tensor", s.path, s.outputs[i].Name, &s.outputs[i])
		}
		result[s.outputs[i].Name] = Float32Tensor{
			Shape: append([]int64(nil), t.GetShape()...),
			Data:  append([]float32(nil), t.GetData()...),
		}
	}
	return result, nil
}

// run calls ONNX Runtime, terminating the call when ctx is cancelled.
func (s *Session) run(ctx context.Context, inputs, outputs []ort.Value) error {
	if ctx.Done() == nil {
		return s.session.Run(inputs, outputs)
	}
	opts, err := ort.NewRunOptions()
	if err != nil {
		return err
	}
	defer opts.Destroy()
	terminated := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		opts.Terminate()
		close(terminated)
	})
	err = s.session.RunWithOptions(inputs, outputs, opts)
	if !stop() {
		<-terminated // Terminate must finish before opts is destroyed.
	}
	return err
}

// inputValues orders the inputs as the model declares them and checks their
// types and ranks. The returned values must be destroyed even on error.
func (s *Session) inputValues(inputs []Input) ([]ort.Value, error) {
	byName := make(map[string]Input, len(inputs))
	for _, in := range inputs {
		if _, dup := byName[in.Name]; dup {
			return nil, fmt.Errorf("input %q given twice", in.Name)
		}
		byName[in.Name] = in
	}
	values := make([]ort.Value, 0, len(s.inputs))
	for _, info := range s.inputs {
		in, ok := byName[info.Name]
		if !ok {
			return values, fmt.Errorf("input %q missing (model inputs: %v)", info.Name, s.InputNames())
		}
		delete(byName, info.Name)
		if err := in.check(info); err != nil {
			return values, err
		}
		v, err := in.value()
		if err != nil {
			return values, fmt.Errorf("input %q: %w", info.Name, err)
		}
		values = append(values, v)
	}
	for name := range byName {
		return values, fmt.Errorf("input %q is not a model input (model inputs: %v)", name, s.InputNames())
	}
	return values, nil
}

func destroyValues(values []ort.Value) {
	for _, v := range values {
		if v != nil {
			v.Destroy()
		}
	}
}

// Input is one named input tensor of int64 or float32 values.
type Input struct {
	Name     string
	Shape    []int64
	dtype    ort.TensorElementDataType
	int64s   []int64
	float32s []float32
}

// Int64Input is an int64 tensor of the given shape (row-major data).
func Int64Input(name string, shape []int64, data []int64) Input {
	return Input{Name: name, Shape: shape, dtype: ort.TensorElementDataTypeInt64, int64s: data}
}

// Float32Input is a float32 tensor of the given shape (row-major data).
func Float32Input(name string, shape []int64, data []float32) Input {
	return Input{Name: name, Shape: shape, dtype: ort.TensorElementDataTypeFloat, float32s: data}
}

// Int64Rows is the [len(rows), len(rows[0])] int64 tensor of equally long
// rows, such as the ids Tokenize returns.
func Int64Rows(name string, rows [][]int64) (Input, error) {
	width := 0
	if len(rows) > 0 {
		width = len(rows[0])
	}
	data := make([]int64, 0, len(rows)*width)
	for i, r := range rows {
		if len(r) != width {
			return Input{}, fmt.Errorf("input %q: row %d has %d values, row 0 has %d", name, i, len(r), width)
		}
		data = append(data, r...)
	}
	return Int64Input(name, []int64{int64(len(rows)), int64(width)}, data), nil
}

func (in Input) check(info ort.InputOutputInfo) error {
	if in.dtype != info.DataType {
		return fmt.Errorf("input %q is %s, the model takes %s", in.Name, in.dtype, info.DataType)
	}
	if len(in.Shape) != len(info.Dimensions) {
		return fmt.Errorf("input %q has shape %v, the model takes %v", in.Name, in.Shape, info.Dimensions)
	}
	for i, d := range info.Dimensions {
		if d >= 0 && in.Shape[i] != d {
			return fmt.Errorf("input %q has shape %v, the model takes %v", in.Name, in.Shape, info.Dimensions)
		}
	}
	return nil
}

func (in Input) value() (ort.Value, error) {
	shape := ort.NewShape(in.Shape...)
	switch in.dtype {
	case ort.TensorElementDataTypeFloat:
		return ort.NewTensor(shape, in.float32s)
	case ort.TensorElementDataTypeInt64:
		return ort.NewTensor(shape, in.int64s)
	}
	return nil, errors.New("no data: build inputs with Int64Input or Float32Input")
}

// Float32Tensor is an output tensor: its shape and row-major values.
type Float32Tensor struct {
	Shape []int64
	Data  []float32
}

// Row returns row i of a tensor whose first dimension is the batch.
func (t Float32Tensor) Row(i int) []float32 {
	n := len(t.Data) / int(t.Shape[0])
	return t.Data[i*n : (i+1)*n]
}

// Rows splits a tensor whose first dimension is the batch into its rows.
func (t Float32Tensor) Rows() [][]float32 {
	rows := make([][]float32, t.Shape[0])
	for i := range rows {
		rows[i] = t.Row(i)
	}
	return rows
}
