package onnxgraph

import (
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"

	"github.com/advancedclimatesystems/gonnx/onnx"
	"google.golang.org/protobuf/proto"
)

// ReadFloat32Initializers reads the named float32 initializers of
// dir/model.onnx, following external data into model.onnx.data, so that Go
// code can use the weights of a written model (explanations) without a
// second copy of them.
func ReadFloat32Initializers(dir string, names ...string) (map[string][]float32, error) {
	raw, err := os.ReadFile(filepath.Join(dir, ModelFile))
	if err != nil {
		return nil, fmt.Errorf("onnxgraph: %w", err)
	}
	var m onnx.ModelProto
	if err := proto.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("onnxgraph: %s: %w", filepath.Join(dir, ModelFile), err)
	}
	want := make(map[string]bool, len(names))
	for _, n := range names {
		want[n] = true
	}
	var external []byte
	out := make(map[string][]float32, len(names))
	for _, t := range m.GetGraph().GetInitializer() {
		if !want[t.Name] {
			continue
		}
		if t.DataType != int32(onnx.TensorProto_FLOAT) {
			return nil, fmt.Errorf("onnxgraph: initializer %s is not float32", t.Name)
		}
		data := t.RawData
		if t.DataLocation == onnx.TensorProto_EXTERNAL {
			if external == nil {
				if external, err = os.ReadFile(filepath.Join(dir, ExternalDataFile)); err != nil {
					return nil, fmt.Errorf("onnxgraph: %w", err)
				}
			}
			if data, err = externalSlice(t, external); err != nil {
				return nil, err
			}
		}
		if len(data) == 0 && len(t.FloatData) > 0 {
			out[t.Name] = t.FloatData
			continue
		}
		vals := make([]float32, len(data)/4)
		for i := range vals {
			vals[i] = math.Float32frombits(binary.LittleEndian.Uint32(data[4*i:]))
		}
		out[t.Name] = vals
	}
	for _, n := range names {
		if _, ok := out[n]; !ok {
			return nil, fmt.Errorf("onnxgraph: %s has no initializer %s", filepath.Join(dir, ModelFile), n)
		}
	}
	return out, nil
}

// externalSlice returns the bytes an external tensor points at.
func externalSlice(t *onnx.TensorProto, data []byte) ([]byte, error) {
	var offset, length int
	for _, e := range t.ExternalData {
		switch e.Key {
		case "offset":
			offset, _ = strconv.Atoi(e.Value)
		case "length":
			length, _ = strconv.Atoi(e.Value)
		}
	}
	if offset < 0 || length < 0 || offset+length > len(data) {
		return nil, fmt.Errorf("onnxgraph: initializer %s points outside %s", t.Name, ExternalDataFile)
	}
	return data[offset : offset+length], nil
}
