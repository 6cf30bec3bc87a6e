package classify

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"

	"github.com/commit-labeler/commit-labeler/onnxgraph"
)

// KindEmbedBag is the fastText-style model: hashed tokens averaged as
// embedding rows, then a linear or small MLP head with softmax.
const KindEmbedBag = "embed_bag"

func init() {
	Register(Kind{Name: KindEmbedBag, Train: trainEmbedBagKind, Load: loadEmbedBag})
}

// EmbedBagConfig is an embed_bag model's configuration, stored in model.json.
type EmbedBagConfig struct {
	// Tokens selects the tokens of a commit (see Tokens).
	Tokens TokenConfig `json:"tokens"`
	// Buckets is how many embedding rows tokens are hashed into (HashToken).
	Buckets int `json:"buckets"`
	// Dim is the width of an embedding row.
	Dim int `json:"dim"`
	// Hidden are the widths of the head's hidden ReLU layers (none: linear).
	Hidden []int `json:"hidden,omitempty"`
	SGDSchedule
	// Epochs actually trained and the best validation macro-F1 (outputs).
	TrainedEpochs int     `json:"trained_epochs,omitempty"`
	ValidMacroF1  float64 `json:"valid_macro_f1,omitempty"`
}

// DefaultEmbedBagConfig is the configuration of `train train --model embed_bag`:
// 2^16 rows of 32 float32 make an 8 MiB embedding. On the development
// corpus (repositories held out) subject character n-grams helped, diff
// words and a hidden layer did not, and the best epoch comes early.
func DefaultEmbedBagConfig() EmbedBagConfig {
	tokens := DefaultTokenConfig()
	tokens.SubjectChars = true
	return EmbedBagConfig{
		Tokens:  tokens,
		Buckets: 1 << 16,
		Dim:     32,
		SGDSchedule: SGDSchedule{
			Epochs: 12, Patience: 3, LearningRate: 0.2, BalanceClasses: true,
		},
	}
}

func (c EmbedBagConfig) check() error {
	if c.Buckets <= 0 || c.Dim <= 0 || c.Epochs <= 0 || c.LearningRate <= 0 || slices.ContainsFunc(c.Hidden, func(h int) bool { return h <= 0 }) {
		return fmt.Errorf("embed_bag config: buckets %d, dim %d, hidden %v, epochs %d and learning rate %v must be positive",
			c.Buckets, c.Dim, c.Hidden, c.Epochs, c.LearningRate)
	}
	return nil
}

// embedBagExternalAbove moves tensors above 1 MiB (the embedding) into
// model.onnx.data.
const embedBagExternalAbove = 1 << 20

func trainEmbedBagKind(ctx context.Context, in TrainInput, dir string) error {
	return TrainEmbedBag(ctx, in, dir, DefaultEmbedBagConfig())
}

// TrainEmbedBag trains an embed_bag model with cfg into dir: model.onnx
// (onnxgraph.SparseEmbeddingMLP, the embedding in model.onnx.data) and
// model.json. Use it through Train (kind embed_bag takes the default
// configuration) or to try another configuration.
func TrainEmbedBag(ctx context.Context, in TrainInput, dir string, cfg EmbedBagConfig) error {
	net, err := trainEmbedBagNet(ctx, in, cfg)
	if err != nil {
		return err
	}
	return net.write(dir, in.Labels)
}

// embedBagNet is the trained model: the embedding table and the head.
type embedBagNet struct {
	cfg       EmbedBagConfig
	embedding []float32 // Buckets×Dim, row-major
	head      *mlpHead
}

// hash is an example's sparse input: its token buckets with weights
// summing to 1, so the graph's weighted sum is the embeddings' mean.
func (c EmbedBagConfig) hash(f *Features) SparseVector {
	v := Hash(Tokens(f, c.Tokens), c.Buckets)
	var total float32
	for _, x := range v.Values {
		total += x
	}
	total = max(total, 1e-12)
	w := make([]float32, len(v.Values))
	for i, x := range v.Values {
		w[i] = x / total
	}
	return SparseVector{Indices: v.Indices, Values: w}
}

func hashAll(cfg EmbedBagConfig, examples []Example) []SparseVector {
	out := make([]SparseVector, len(examples))
	parallelFor(len(examples), func(i int) { out[i] = cfg.hash(examples[i].Features) })
	return out
}

func trainEmbedBagNet(ctx context.Context, in TrainInput, cfg EmbedBagConfig) (*embedBagNet, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(uint64(in.Options.Seed), 0xe3bed))
	net := &embedBagNet{cfg: cfg, embedding: make([]float32, cfg.Buckets*cfg.Dim)}
	for i := range net.embedding {
		net.embedding[i] = float32((rng.Float64()*2 - 1) / float64(cfg.Dim))
	}
	net.head = newMLPHead(cfg.Dim, cfg.Hidden, len(in.Labels), rng)
	t := &embedBagTrainer{net: net, train: hashAll(cfg, in.Train), valid: hashAll(cfg, in.Valid)}
	t.acts = net.head.newActivations(cfg.Dim)
	t.dx = make([]float32, cfg.Dim)
	epochs, best, err := fitSGD(ctx, t, cfg.SGDSchedule, in.Options.Seed, in.Labels, labelIndices(in.Labels, in.Train), in.Valid)
	if err != nil {
		return nil, fmt.Errorf("embed_bag: %w", err)
	}
	net.cfg.TrainedEpochs, net.cfg.ValidMacroF1 = epochs, max(best, 0)
	slog.Debug("embed_bag trained", "epochs", epochs, "valid_macro_f1", best)
	return net, nil
}

// embedBagTrainer adapts the net to fitSGD.
type embedBagTrainer struct {
	net          *embedBagNet
	train, valid []SparseVector
	acts         activations
	dx           []float32
	best         *embedBagNet
}

func (t *embedBagTrainer) step(i, y int, w, lr float32) {
	x := t.train[i]
	dim := t.net.cfg.Dim
	t.net.mean(x, t.acts[0])
	grad := t.net.head.forward(t.acts)
	for j := range grad {
		grad[j] *= w
	}
	grad[y] -= w
	t.net.head.backward(t.acts, grad, t.dx, lr)
	for k, idx := range x.Indices {
		row := t.net.embedding[int(idx)*dim : (int(idx)+1)*dim]
		s := lr * x.Values[k]
		for d, g := range t.dx {
			row[d] -= s * g
		}
	}
}

func (t *embedBagTrainer) probabilities(i int) []float32 { return t.net.forward(t.valid[i]) }

func (t *embedBagTrainer) keep() {
	if t.best == nil {
		t.best = &embedBagNet{embedding: make([]float32, len(t.net.embedding))}
	}
	copy(t.best.embedding, t.net.embedding)
	t.best.head = t.net.head.clone()
}

func (t *embedBagTrainer) restore() {
	copy(t.net.embedding, t.best.embedding)
	t.net.head = t.best.head
}

// mean writes the weighted mean of x's embedding rows into out.
func (n *embedBagNet) mean(x SparseVector, out []float32) {
	clear(out)
	dim := n.cfg.Dim
	for k, idx := range x.Indices {
		row := n.embedding[int(idx)*dim : (int(idx)+1)*dim]
		w := x.Values[k]
		for d, e := range row {
			out[d] += w * e
		}
	}
}

// forward is the pure-Go forward pass: the label probabilities of x.
func (n *embedBagNet) forward(x SparseVector) []float32 {
	acts := n.head.newActivations(n.cfg.Dim)
	n.mean(x, acts[0])
	return n.head.forward(acts)
}

// write exports the net to dir/model.onnx and writes model.json.
func (n *embedBagNet) write(dir string, labels []string) error {
	hidden, out := n.head.split()
	g, err := onnxgraph.SparseEmbeddingMLP(
		onnxgraph.Matrix{Rows: n.cfg.Buckets, Cols: n.cfg.Dim, Data: n.embedding}, hidden, out, onnxgraph.Softmax)
	if err != nil {
		return fmt.Errorf("embed_bag: %w", err)
	}
	if err := g.WriteFile(dir, onnxgraph.ExternalDataAbove(embedBagExternalAbove)); err != nil {
		return fmt.Errorf("embed_bag: %w", err)
	}
	cfg, err := json.Marshal(n.cfg)
	if err != nil {
		return err
	}
	return WriteMeta(dir, &Meta{Kind: KindEmbedBag, Labels: labels, FeaturesVersion: FeaturesVersion, Config: cfg})
}

// embedBagModel serves an embed_bag directory through ONNX Runtime.
type embedBagModel struct {
	meta    *Meta
	cfg     EmbedBagConfig
	session *Session
}

func loadEmbedBag(dir string, meta *Meta) (Model, error) {
	var cfg EmbedBagConfig
	if err := json.Unmarshal(meta.Config, &cfg); err != nil {
		return nil, fmt.Errorf("%s: config: %w", MetaFile, err)
	}
	if err := cfg.check(); err != nil {
		return nil, fmt.Errorf("%s: %w", MetaFile, err)
	}
	s, err := openModelSession(dir, []string{onnxgraph.InputIndices, onnxgraph.InputValues}, onnxgraph.OutputProbabilities)
	if err != nil {
		return nil, err
	}
	return &embedBagModel{meta: meta, cfg: cfg, session: s}, nil
}

// openModelSession opens dir/model.onnx and checks that it takes the named
// inputs and gives the named output.
func openModelSession(dir string, inputs []string, output string) (*Session, error) {
	if err := InitRuntime(); err != nil {
		return nil, err
	}
	s, err := OpenSession(dir)
	if err != nil {
		return nil, err
	}
	if err := checkSignature(s, inputs, output); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// checkSignature names the model file when its inputs or outputs are not
// the expected ones.
func checkSignature(s *Session, inputs []string, output string) error {
	for _, in := range inputs {
		if !slices.Contains(s.InputNames(), in) {
			return fmt.Errorf("%s: no input %q (inputs: %v)", s.path, in, s.InputNames())
		}
	}
	if !slices.Contains(s.OutputNames(), output) {
		return fmt.Errorf("%s: no output %q (outputs: %v)", s.path, output, s.OutputNames())
	}
	return nil
}

func (m *embedBagModel) Meta() *Meta  { return m.meta }
func (m *embedBagModel) Close() error { return m.session.Close() }

// Probabilities hashes each commit's tokens and runs the padded batch
// (index 0 with value 0 pads a row).
func (m *embedBagModel) Probabilities(ctx context.Context, features []*Features) ([][]float32, error) {
	if len(features) == 0 {
		return nil, nil
	}
	rows := make([]SparseVector, len(features))
	for i, f := range features {
		rows[i] = m.cfg.hash(f)
	}
	indices, values := PadSparse(rows)
	out, err := m.session.Run(ctx, indices, values)
	if err != nil {
		return nil, err
	}
	return out[onnxgraph.OutputProbabilities].Rows(), nil
}
