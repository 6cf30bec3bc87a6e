// Package onnxfixture writes tiny transformer model directories with the
// real signatures of Hugging Face exports (model.onnx, tokenizer.json,
// config.json and, for classifiers, label_mapping.json) for tests that
// cannot download a real model.
package onnxfixture

import (
	"fmt"
	"os"
	"strconv"

	"github.com/commit-labeler/commit-labeler/onnxgraph"
)

// Sizes of the fixture models.
const (
	// Hidden is the width of the encoder's hidden states.
	Hidden = 16
	// MaxLength is the longest token sequence the models take.
	MaxLength = 64
	seed      = 20240601
)

// File names beside model.onnx.
const (
	ConfigFile       = "config.json"
	LabelMappingFile = "label_mapping.json"
)

func sizes() onnxgraph.TinyTransformer {
	return onnxgraph.TinyTransformer{Vocab: len(Vocabulary()), Hidden: Hidden, Positions: MaxLength, Seed: seed}
}

// config is the subset of a Hugging Face config.json the fixtures write.
type config struct {
	ModelType             string            `json:"model_type"`
	VocabSize             int               `json:"vocab_size"`
	HiddenSize            int               `json:"hidden_size"`
	MaxPositionEmbeddings int               `json:"max_position_embeddings"`
	ID2Label              map[string]string `json:"id2label,omitempty"`
	Label2ID              map[string]int    `json:"label2id,omitempty"`
}

// LabelMapping is label_mapping.json: the label of each logit index and back.
type LabelMapping struct {
	ID2Label map[string]string `json:"id2label"`
	Label2ID map[string]int    `json:"label2id"`
}

// NewLabelMapping numbers labels in order.
func NewLabelMapping(labels []string) LabelMapping {
	m := LabelMapping{ID2Label: map[string]string{}, Label2ID: map[string]int{}}
	for i, l := range labels {
		m.ID2Label[strconv.Itoa(i)] = l
		m.Label2ID[l] = i
	}
	return m
}

// WriteTinyEncoderFixture writes a sentence-embedding model directory:
// model.onnx (onnxgraph.TinyBertEncoder), tokenizer.json and config.json.
func WriteTinyEncoderFixture(dir string) error {
	g, err := onnxgraph.TinyBertEncoder(sizes())
	if err != nil {
		return err
	}
	return writeModelDir(dir, g, sizes(), config{})
}

// WriteBertEncoder writes a sentence-embedding model directory whose
// model.onnx is onnxgraph.BertEncoder(shape), with the fixture's
// tokenizer: an encoder that costs what a pretrained one of that shape
// costs (onnxgraph.MiniLML6 for all-MiniLM-L6-v2), for measurements.
func WriteBertEncoder(dir string, shape onnxgraph.BertShape) error {
	g, err := onnxgraph.BertEncoder(shape)
	if err != nil {
		return err
	}
	return writeModelDir(dir, g, shape.TinyTransformer, config{})
}

// WriteBertClassifier writes a sequence-classification model directory
// whose model.onnx is onnxgraph.BertSequenceClassifier(shape), as
// WriteTinyClassifierFixture does.
func WriteBertClassifier(dir string, shape onnxgraph.BertShape, labels []string) error {
	g, err := onnxgraph.BertSequenceClassifier(shape, len(labels))
	if err != nil {
		return err
	}
	return writeClassifierDir(dir, g, shape.TinyTransformer, labels)
}

// WriteTinyClassifierFixture writes a sequence-classification model
// directory for labels: model.onnx (onnxgraph.TinySequenceClassifier),
// tokenizer.json, config.json with id2label and label_mapping.json.
func WriteTinyClassifierFixture(dir string, labels []string) error {
	g, err := onnxgraph.TinySequenceClassifier(sizes(), len(labels))
	if err != nil {
		return err
	}
	return writeClassifierDir(dir, g, sizes(), labels)
}

func writeClassifierDir(dir string, g *onnxgraph.Graph, s onnxgraph.TinyTransformer, labels []string) error {
	mapping := NewLabelMapping(labels)
	if err := writeModelDir(dir, g, s, config{ID2Label: mapping.ID2Label, Label2ID: mapping.Label2ID}); err != nil {
		return err
	}
	return writeJSON(dir, LabelMappingFile, mapping)
}

func writeModelDir(dir string, g *onnxgraph.Graph, s onnxgraph.TinyTransformer, cfg config) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("fixture %s: %w", dir, err)
	}
	if err := g.WriteFile(dir); err != nil {
		return err
	}
	if err := writeTokenizer(dir); err != nil {
		return err
	}
	cfg.ModelType, cfg.VocabSize, cfg.HiddenSize, cfg.MaxPositionEmbeddings = "bert", s.Vocab, s.Hidden, s.Positions
	return writeJSON(dir, ConfigFile, cfg)
}
