// Package testkind registers a tiny but real model kind for tests of code
// that trains, loads and serves models (ensembles, train eval, train
// classify): multinomial naive Bayes over hashed tokens, exported as an
// ONNX SparseLinear graph and served through ONNX Runtime like every kind.
package testkind

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"sync"

	"github.com/commit-labeler/commit-labeler/classify"
	"github.com/commit-labeler/commit-labeler/onnxgraph"
)

// Kinds registered by Register: Name reads the default tokens, NameChars
// adds the subject's character n-grams, so the two differ as ensemble
// members should.
const (
	Name      = "test_bayes"
	NameChars = "test_bayes_chars"
)

// dims is the size of the hashed token space.
const dims = 1 << 10

// weightsFile keeps the log-likelihood matrix for Explain.
const weightsFile = "weights.f32"

var once sync.Once

// Register registers the kinds once per process.
func Register() {
	once.Do(func() {
		tokens := classify.DefaultTokenConfig()
		classify.Register(classify.Kind{Name: Name, Train: trainer(tokens), Load: load})
		tokens.SubjectChars = true
		classify.Register(classify.Kind{Name: NameChars, Train: trainer(tokens), Load: load})
	})
}

type config struct {
	Dims   int                  `json:"dims"`
	Tokens classify.TokenConfig `json:"tokens"`
}

func trainer(tokens classify.TokenConfig) func(context.Context, classify.TrainInput, string) error {
	return func(_ context.Context, in classify.TrainInput, dir string) error {
		return train(in, dir, config{Dims: dims, Tokens: tokens})
	}
}

func train(in classify.TrainInput, dir string, cfg config) error {
	nl := len(in.Labels)
	col := make(map[string]int, nl)
	for i, l := range in.Labels {
		col[l] = i
	}
	counts := make([]float64, dims*nl)
	totals := make([]float64, nl)
	prior := make([]float64, nl)
	for _, e := range in.Train {
		c, ok := col[e.Labels[0]]
		if !ok {
			continue
		}
		prior[c]++
		v := classify.Hash(classify.Tokens(e.Features, cfg.Tokens), dims)
		for k, i := range v.Indices {
			counts[int(i)*nl+c] += float64(v.Values[k])
			totals[c] += float64(v.Values[k])
		}
	}
	w := onnxgraph.Matrix{Rows: dims, Cols: nl, Data: make([]float32, dims*nl)}
	for i := range dims {
		for c := range nl {
			w.Data[i*nl+c] = float32(math.Log((counts[i*nl+c] + 1) / (totals[c] + dims)))
		}
	}
	bias := make([]float32, nl)
	for c := range nl {
		bias[c] = float32(math.Log((prior[c] + 1) / (float64(len(in.Train)) + float64(nl))))
	}
	g, err := onnxgraph.SparseLinear(w, bias, onnxgraph.Softmax)
	if err != nil {
		return err
	}
	if err := g.WriteFile(dir); err != nil {
		return err
	}
	raw := make([]byte, 4*len(w.Data))
	for i, v := range w.Data {
		binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(v))
	}
	if err := os.WriteFile(filepath.Join(dir, weightsFile), raw, 0o644); err != nil {
		return err
	}
	data, err := json.Marshal(cfg)
	if err != nil {
		return err
	}
	return classify.WriteMeta(dir, &classify.Meta{Kind: kindOf(cfg), Labels: in.Labels,
		FeaturesVersion: classify.FeaturesVersion, Config: data})
}

func kindOf(cfg config) string {
	if cfg.Tokens.SubjectChars {
		return NameChars
	}
	return Name
}

// model serves a trained directory.
type model struct {
	meta    *classify.Meta
	cfg     config
	session *classify.Session
	weights []float32
}

func load(dir string, meta *classify.Meta) (classify.Model, error) {
	var cfg config
	if err := json.Unmarshal(meta.Config, &cfg); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	raw, err := os.ReadFile(filepath.Join(dir, weightsFile))
	if err != nil {
		return nil, err
	}
	weights := make([]float32, len(raw)/4)
	for i := range weights {
		weights[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
	}
	if len(weights) != cfg.Dims*len(meta.Labels) {
		return nil, fmt.Errorf("%s holds %d weights, want %d", weightsFile, len(weights), cfg.Dims*len(meta.Labels))
	}
	if err := classify.InitRuntime(); err != nil {
		return nil, err
	}
	s, err := classify.OpenSession(dir)
	if err != nil {
		return nil, err
	}
	return &model{meta: meta, cfg: cfg, session: s, weights: weights}, nil
}

func (m *model) Meta() *classify.Meta { return m.meta }

func (m *model) Close() error { return m.session.Close() }

func (m *model) Probabilities(ctx context.Context, feats []*classify.Features) ([][]float32, error) {
	vecs := make([]classify.SparseVector, len(feats))
	for i, f := range feats {
		vecs[i] = classify.Hash(classify.Tokens(f, m.cfg.Tokens), m.cfg.Dims)
	}
	indices, values := classify.PadSparse(vecs)
	out, err := m.session.Run(ctx, indices, values)
	if err != nil {
		return nil, err
	}
	return out[onnxgraph.OutputProbabilities].Rows(), nil
}

// Explain ranks tokens by how much more likely they are under label than
// on average over the labels.
func (m *model) Explain(f *classify.Features, label string, n int) []classify.Reason {
	nl := len(m.meta.Labels)
	c := -1
	for i, l := range m.meta.Labels {
		if l == label {
			c = i
		}
	}
	if c < 0 {
		return nil
	}
	var out []classify.Reason
	for _, t := range classify.Tokens(f, m.cfg.Tokens) {
		row := m.weights[classify.HashToken(t.Name, m.cfg.Dims)*nl:][:nl]
		var mean float64
		for _, w := range row {
			mean += float64(w) / float64(nl)
		}
		if d := t.Weight * (float64(row[c]) - mean); d > 0 {
			out = append(out, classify.Reason{Feature: t.Name, Contribution: d})
		}
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].Contribution > out[b].Contribution })
	return out[:min(n, len(out))]
}
