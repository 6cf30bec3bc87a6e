package onnxgraph

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/advancedclimatesystems/gonnx/onnx"
	"google.golang.org/protobuf/proto"
)

// File names of a written model directory.
const (
	ModelFile        = "model.onnx"
	ExternalDataFile = "model.onnx.data"
)

// externalAlignment aligns each tensor in the data file so ONNX Runtime can
// map it straight from the page cache instead of copying it.
const externalAlignment = 4096

// WriteOption configures WriteFile.
type WriteOption func(*writeConfig)

type writeConfig struct {
	externalAbove int // bytes; 0 keeps every tensor inline
}

// ExternalDataAbove moves every initializer larger than threshold bytes into
// model.onnx.data next to model.onnx, following the ONNX external-data
// convention (data_location EXTERNAL with location, offset and length), as
// large exported models are split.
func ExternalDataAbove(threshold int) WriteOption {
	return func(c *writeConfig) { c.externalAbove = threshold }
}

// WriteFile writes the model as dir/model.onnx (and dir/model.onnx.data when
// ExternalDataAbove moved tensors out), creating dir if needed. Each file is
// written to a temporary name and renamed, so a reader never sees half a model.
func (g *Graph) WriteFile(dir string, opts ...WriteOption) error {
	var cfg writeConfig
	for _, o := range opts {
		o(&cfg)
	}
	m, err := g.Model()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("onnxgraph %s: %w", g.proto.Name, err)
	}
	m = proto.Clone(m).(*onnx.ModelProto)
	data := externalize(m.Graph.Initializer, cfg.externalAbove)
	if len(data) > 0 {
		if err := writeAtomic(filepath.Join(dir, ExternalDataFile), data); err != nil {
			return fmt.Errorf("onnxgraph %s: %w", g.proto.Name, err)
		}
	}
	b, err := proto.Marshal(m)
	if err != nil {
		return fmt.Errorf("onnxgraph %s: marshal: %w", g.proto.Name, err)
	}
	if err := writeAtomic(filepath.Join(dir, ModelFile), b); err != nil {
		return fmt.Errorf("onnxgraph %s: %w", g.proto.Name, err)
	}
	return nil
}

// externalize moves the raw data of tensors above threshold bytes into the
// returned buffer and points the tensors at it.
func externalize(tensors []*onnx.TensorProto, threshold int) []byte {
	if threshold <= 0 {
		return nil
	}
	var data []byte
	for _, t := range tensors {
		if len(t.RawData) <= threshold {
			continue
		}
		for len(data)%externalAlignment != 0 {
			data = append(data, 0)
		}
		offset := len(data)
		data = append(data, t.RawData...)
		t.ExternalData = []*onnx.StringStringEntryProto{
			{Key: "location", Value: ExternalDataFile},
			{Key: "offset", Value: strconv.Itoa(offset)},
			{Key: "length", Value: strconv.Itoa(len(t.RawData))},
		}
		t.DataLocation = onnx.TensorProto_EXTERNAL
		t.RawData = nil
	}
	return data
}

func writeAtomic(path string, b []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
