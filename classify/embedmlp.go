package classify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"time"

	"github.com/commit-labeler/commit-labeler/onnxgraph"
	"github.com/ollama/ollama/api"
)

// KindEmbedMLP is an MLP head over the sentence embeddings of a frozen
// encoder: an ONNX BERT-style encoder copied into the model directory, or
// an Ollama embedding model.
const KindEmbedMLP = "embed_mlp"

func init() {
	Register(Kind{Name: KindEmbedMLP, Train: trainEmbedMLPKind, Load: loadEmbedMLP})
}

// EncoderDir is the sub-directory of an embed_mlp model holding its encoder.
const EncoderDir = "encoder"

// Poolings of encoder hidden states into one sentence embedding.
const (
	// PoolMean averages the hidden states of the tokens (attention mask 1).
	PoolMean = "mean"
	// PoolCLS takes the hidden state of the first token ([CLS]).
	PoolCLS = "cls"
)

// embedBatch is how many examples' texts a training hands the encoder at
// once, in parallel with the next batch: the encoder runs them in groups
// of similar length (textGroup), so the larger the batch the less padding.
const embedBatch = 256

// EmbedMLPConfig is an embed_mlp model's configuration in model.json.
type EmbedMLPConfig struct {
	// Pooling is PoolMean or PoolCLS (ONNX encoders).
	Pooling string `json:"pooling,omitempty"`
	// MaxLength is the most tokens of a commit's text the encoder reads.
	MaxLength int `json:"max_length,omitempty"`
	// EncoderFiles are the SHA-256 sums of the files copied into encoder/.
	EncoderFiles map[string]string `json:"encoder_files,omitempty"`
	// OllamaHost and OllamaModel name the Ollama embedding model when the
	// embeddings come from Ollama instead of encoder/.
	OllamaHost  string `json:"ollama_host,omitempty"`
	OllamaModel string `json:"ollama_model,omitempty"`
	// Dim is the width of the embeddings.
	Dim int `json:"dim"`
	// Hidden are the widths of the head's hidden ReLU layers.
	Hidden []int `json:"hidden,omitempty"`
	SGDSchedule
	// Epochs actually trained and the best validation macro-F1 (outputs).
	TrainedEpochs int     `json:"trained_epochs,omitempty"`
	ValidMacroF1  float64 `json:"valid_macro_f1,omitempty"`
}

// DefaultEmbedMLPConfig is the head `train train --model embed_mlp` fits.
func DefaultEmbedMLPConfig() EmbedMLPConfig {
	return EmbedMLPConfig{
		Pooling: PoolMean,
		Hidden:  []int{64},
		SGDSchedule: SGDSchedule{
			Epochs: 40, Patience: 6, LearningRate: 0.05, BalanceClasses: true,
		},
	}
}

// embedder turns texts into sentence embeddings.
type embedder interface {
	embed(ctx context.Context, texts []string) ([][]float32, error)
	close() error
}

func trainEmbedMLPKind(ctx context.Context, in TrainInput, dir string) error {
	return TrainEmbedMLP(ctx, in, dir, DefaultEmbedMLPConfig())
}

// TrainEmbedMLP trains an embed_mlp model into dir. With Options.Encoder it
// copies the encoder's model.onnx (and model.onnx.data) and tokenizer.json
// into dir/encoder/; with Options.OllamaHost and OllamaModel it records
// them instead. The head, trained on embeddings computed once per example,
// is dir/model.onnx (onnxgraph.DenseMLP).
func TrainEmbedMLP(ctx context.Context, in TrainInput, dir string, cfg EmbedMLPConfig) error {
	if err := cfg.checkHead(); err != nil {
		return err
	}
	var err error
	if p := in.Options.Pooling; p != "" {
		cfg.Pooling = p
	}
	switch o := in.Options; {
	case o.Encoder != "":
		var hf hfConfig
		if hf, err = readHFConfig(o.Encoder); err != nil {
			return err
		}
		if cfg.MaxLength == 0 {
			cfg.MaxLength = hf.maxTokens()
		}
		cfg.EncoderFiles, err = copyModelFiles(o.Encoder, filepath.Join(dir, EncoderDir), ModelFile, TokenizerFile)
	case o.OllamaHost != "" && o.OllamaModel != "":
		cfg.OllamaHost, cfg.OllamaModel, cfg.Pooling = o.OllamaHost, o.OllamaModel, ""
	default:
		err = errors.New("embed_mlp: no encoder directory (Options.Encoder) and no Ollama host and model")
	}
	if err != nil {
		return err
	}
	emb, err := cfg.open(dir)
	if err != nil {
		return err
	}
	defer emb.close()
	train, err := cfg.embedAll(ctx, emb, in.Train)
	if err != nil {
		return err
	}
	valid, err := cfg.embedAll(ctx, emb, in.Valid)
	if err != nil {
		return err
	}
	cfg.Dim = len(train[0])
	rng := rand.New(rand.NewPCG(uint64(in.Options.Seed), 0x3a1b))
	t := &denseTrainer{head: newMLPHead(cfg.Dim, cfg.Hidden, len(in.Labels), rng), train: train, valid: valid}
	t.acts = t.head.newActivations(cfg.Dim)
	cfg.TrainedEpochs, cfg.ValidMacroF1, err = fitSGD(ctx, t, cfg.SGDSchedule, in.Options.Seed, in.Labels, labelIndices(in.Labels, in.Train), in.Valid)
	if err != nil {
		return fmt.Errorf("embed_mlp: %w", err)
	}
	cfg.ValidMacroF1 = max(cfg.ValidMacroF1, 0)
	hidden, out := t.head.split()
	g, err := onnxgraph.DenseMLP(cfg.Dim, hidden, out, onnxgraph.Softmax)
	if err != nil {
		return fmt.Errorf("embed_mlp: %w", err)
	}
	if err := g.WriteFile(dir); err != nil {
		return fmt.Errorf("embed_mlp: %w", err)
	}
	config, err := json.Marshal(cfg)
	if err != nil {
		return err
	}
	return WriteMeta(dir, &Meta{Kind: KindEmbedMLP, Labels: in.Labels, FeaturesVersion: FeaturesVersion, Config: config})
}

func (c EmbedMLPConfig) checkHead() error {
	if c.Epochs <= 0 || c.LearningRate <= 0 || slices.ContainsFunc(c.Hidden, func(h int) bool { return h <= 0 }) {
		return fmt.Errorf("embed_mlp config: hidden %v, epochs %d and learning rate %v must be positive", c.Hidden, c.Epochs, c.LearningRate)
	}
	return nil
}

// open returns the embedder of a model directory: dir/encoder/, or Ollama.
func (c EmbedMLPConfig) open(dir string) (embedder, error) {
	if c.OllamaModel != "" {
		return newOllamaEmbedder(c.OllamaHost, c.OllamaModel)
	}
	if c.Pooling != PoolMean && c.Pooling != PoolCLS {
		return nil, fmt.Errorf("embed_mlp: pooling %q, want %q or %q", c.Pooling, PoolMean, PoolCLS)
	}
	r, err := openTextRunner(filepath.Join(dir, EncoderDir), c.MaxLength, onnxgraph.OutputLastHidden)
	if err != nil {
		return nil, err
	}
	return &onnxEmbedder{runner: r, pooling: c.Pooling}, nil
}

// embedAll embeds the examples' texts in batches, in parallel: training
// reads each example's embedding once per epoch from the returned slice.
func (c EmbedMLPConfig) embedAll(ctx context.Context, emb embedder, examples []Example) ([][]float32, error) {
	out := make([][]float32, len(examples))
	err := parallelBatches(ctx, len(examples), embedBatch, func(start, end int) error {
		vecs, err := c.embedTexts(ctx, emb, texts(featuresOf(examples[start:end]), InputText))
		if err != nil {
			return fmt.Errorf("embed_mlp: embed %s: %w", examples[start].ID, err)
		}
		copy(out[start:end], vecs)
		return nil
	})
	return out, err
}

// onnxEmbedder pools the hidden states of an ONNX encoder.
type onnxEmbedder struct {
	runner  *textRunner
	pooling string
}

func (e *onnxEmbedder) embed(ctx context.Context, texts []string) ([][]float32, error) {
	out, err := e.runner.run(ctx, texts)
	if err != nil {
		return nil, err
	}
	vecs := make([][]float32, len(out))
	for i, o := range out {
		if len(o.shape) != 2 || o.shape[0] != int64(len(o.mask)) {
			return nil, fmt.Errorf("%s: %s of shape %v for a text of %d tokens", e.runner.session.path, onnxgraph.OutputLastHidden, o.shape, len(o.mask))
		}
		seq, width := int(o.shape[0]), int(o.shape[1])
		v := make([]float32, width)
		if e.pooling == PoolCLS {
			copy(v, o.values[:width])
		} else {
			var n float32
			for t := range seq {
				if o.mask[t] == 0 {
					continue
				}
				n++
				for d, x := range o.values[t*width : (t+1)*width] {
					v[d] += x
				}
			}
			for d := range v {
				v[d] /= max(n, 1)
			}
		}
		vecs[i] = v
	}
	return vecs, nil
}

func (e *onnxEmbedder) close() error { return e.runner.close() }

// ollamaEmbedder asks an Ollama server's /api/embed.
type ollamaEmbedder struct {
	host, model string
	client      *api.Client
}

// ollamaTimeout bounds one /api/embed call.
const ollamaTimeout = 2 * time.Minute

func newOllamaEmbedder(host, model string) (*ollamaEmbedder, error) {
	u, err := url.Parse(host)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("embed_mlp: Ollama host %q: want a URL such as http://localhost:11434", host)
	}
	return &ollamaEmbedder{host: host, model: model,
		client: api.NewClient(u, &http.Client{Timeout: ollamaTimeout})}, nil
}

func (e *ollamaEmbedder) embed(ctx context.Context, texts []string) ([][]float32, error) {
	truncate := true
	resp, err := e.client.Embed(ctx, &api.EmbedRequest{Model: e.model, Input: texts, Truncate: &truncate})
	if err != nil {
		return nil, fmt.Errorf("ollama %s model %s: %w", e.host, e.model, err)
	}
	if len(resp.Embeddings) != len(texts) {
		return nil, fmt.Errorf("ollama %s model %s: %d embeddings for %d texts", e.host, e.model, len(resp.Embeddings), len(texts))
	}
	return resp.Embeddings, nil
}

func (e *ollamaEmbedder) close() error { return nil }

// denseTrainer adapts an MLP head over cached embeddings to fitSGD.
type denseTrainer struct {
	head, best   *mlpHead
	train, valid [][]float32
	acts         activations
}

func (t *denseTrainer) step(i, y int, w, lr float32) {
	copy(t.acts[0], t.train[i])
	grad := t.head.forward(t.acts)
	for j := range grad {
		grad[j] *= w
	}
	grad[y] -= w
	t.head.backward(t.acts, grad, nil, lr)
}

func (t *denseTrainer) probabilities(i int) []float32 {
	acts := t.head.newActivations(len(t.valid[i]))
	copy(acts[0], t.valid[i])
	return t.head.forward(acts)
}

func (t *denseTrainer) keep()    { t.best = t.head.clone() }
func (t *denseTrainer) restore() { t.head = t.best }

// embedMLPModel serves an embed_mlp directory: the encoder (or Ollama),
// then the head through ONNX Runtime.
type embedMLPModel struct {
	meta     *Meta
	cfg      EmbedMLPConfig
	embedder embedder
	head     *Session
}

func loadEmbedMLP(dir string, meta *Meta) (Model, error) {
	var cfg EmbedMLPConfig
	if err := json.Unmarshal(meta.Config, &cfg); err != nil {
		return nil, fmt.Errorf("%s: config: %w", MetaFile, err)
	}
	if cfg.Dim <= 0 {
		return nil, fmt.Errorf("%s: embedding width %d", MetaFile, cfg.Dim)
	}
	head, err := openModelSession(dir, []string{onnxgraph.InputFeatures}, onnxgraph.OutputProbabilities)
	if err != nil {
		return nil, err
	}
	emb, err := cfg.open(dir)
	if err != nil {
		head.Close()
		return nil, err
	}
	return &embedMLPModel{meta: meta, cfg: cfg, embedder: emb, head: head}, nil
}

func (m *embedMLPModel) Meta() *Meta { return m.meta }

func (m *embedMLPModel) Close() error {
	return errors.Join(m.embedder.close(), m.head.Close())
}

// Probabilities embeds the commits' texts and runs the head on them.
func (m *embedMLPModel) Probabilities(ctx context.Context, features []*Features) ([][]float32, error) {
	if len(features) == 0 {
		return nil, nil
	}
	vecs, err := m.cfg.embedTexts(ctx, m.embedder, texts(features, InputText))
	if err != nil {
		return nil, err
	}
	data := make([]float32, 0, len(vecs)*m.cfg.Dim)
	for i, v := range vecs {
		if len(v) != m.cfg.Dim {
			return nil, fmt.Errorf("embedding %d has %d values, the head takes %d", i, len(v), m.cfg.Dim)
		}
		data = append(data, v...)
	}
	out, err := m.head.Run(ctx, Float32Input(onnxgraph.InputFeatures, []int64{int64(len(vecs)), int64(m.cfg.Dim)}, data))
	if err != nil {
		return nil, err
	}
	return out[onnxgraph.OutputProbabilities].Rows(), nil
}
