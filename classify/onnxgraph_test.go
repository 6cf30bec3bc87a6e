package classify_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/commit-labeler/commit-labeler/classify"
	"github.com/commit-labeler/commit-labeler/onnxgraph"
)

// The graphs of onnxgraph, run by ONNX Runtime through Session, must agree
// with a plain Go computation of the same model.

const tolerance = 1e-5

func randomMatrix(r *rand.Rand, rows, cols int, scale float64) onnxgraph.Matrix {
	m := onnxgraph.Matrix{Rows: rows, Cols: cols, Data: make([]float32, rows*cols)}
	for i := range m.Data {
		m.Data[i] = float32(r.NormFloat64() * scale)
	}
	return m
}

func randomDense(r *rand.Rand, in, out int) onnxgraph.Dense {
	return onnxgraph.Dense{W: randomMatrix(r, in, out, 0.3), B: randomMatrix(r, 1, out, 0.3).Data}
}

// sparseBatch is a padded sparse batch: each row has some features, then
// padding (index 0, value 0).
type sparseBatch struct {
	n, k    int
	indices []int64
	values  []float32
}

func randomSparse(r *rand.Rand, n, k, features int) sparseBatch {
	b := sparseBatch{n: n, k: k, indices: make([]int64, n*k), values: make([]float32, n*k)}
	for row := range n {
		used := 1 + r.IntN(k)
		for j := range used {
			b.indices[row*k+j] = int64(r.IntN(features))
			b.values[row*k+j] = float32(r.Float64()*2 - 0.5)
		}
	}
	return b
}

func (b sparseBatch) inputs() []classify.Input {
	shape := []int64{int64(b.n), int64(b.k)}
	return []classify.Input{
		classify.Int64Input(onnxgraph.InputIndices, shape, b.indices),
		classify.Float32Input(onnxgraph.InputValues, shape, b.values),
	}
}

// weightedRows returns Σ_k values·table[indices] for each row of the batch.
func (b sparseBatch) weightedRows(table onnxgraph.Matrix) [][]float64 {
	out := make([][]float64, b.n)
	for row := range b.n {
		out[row] = make([]float64, table.Cols)
		for j := range b.k {
			idx, v := b.indices[row*b.k+j], float64(b.values[row*b.k+j])
			for c := range table.Cols {
				out[row][c] += v * float64(table.Data[int(idx)*table.Cols+c])
			}
		}
	}
	return out
}

func (b sparseBatch) valueSums() []float64 {
	sums := make([]float64, b.n)
	for row := range b.n {
		for j := range b.k {
			sums[row] += float64(b.values[row*b.k+j])
		}
	}
	return sums
}

func denseForward(x []float64, d onnxgraph.Dense, relu bool) []float64 {
	y := make([]float64, d.W.Cols)
	for c := range y {
		y[c] = float64(d.B[c])
		for i, xi := range x {
			y[c] += xi * float64(d.W.Data[i*d.W.Cols+c])
		}
		if relu {
			y[c] = math.Max(0, y[c])
		}
	}
	return y
}

func mlpForward(x []float64, hidden []onnxgraph.Dense, out onnxgraph.Dense) []float64 {
	for _, h := range hidden {
		x = denseForward(x, h, true)
	}
	return denseForward(x, out, false)
}

func probabilities(logits []float64, act onnxgraph.Activation) []float64 {
	p := make([]float64, len(logits))
	if act == onnxgraph.Sigmoid {
		for i, z := range logits {
			p[i] = 1 / (1 + math.Exp(-z))
		}
		return p
	}
	top := math.Inf(-1)
	for _, z := range logits {
		top = math.Max(top, z)
	}
	var sum float64
	for i, z := range logits {
		p[i] = math.Exp(z - top)
		sum += p[i]
	}
	for i := range p {
		p[i] /= sum
	}
	return p
}

// runGraph writes g to a temporary directory and runs it in a fresh session.
func runGraph(t *testing.T, g *onnxgraph.Graph, inputs []classify.Input, opts ...onnxgraph.WriteOption) map[string]classify.Float32Tensor {
	t.Helper()
	dir := t.TempDir()
	if err := g.WriteFile(dir, opts...); err != nil {
		t.Fatal(err)
	}
	s, err := classify.OpenSession(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	out, err := s.Run(context.Background(), inputs...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// checkHead compares the logits and probabilities outputs with want logits.
func checkHead(t *testing.T, out map[string]classify.Float32Tensor, want [][]float64, act onnxgraph.Activation) {
	t.Helper()
	for row, logits := range want {
		compare(t, fmt.Sprintf("row %d logits", row), out[onnxgraph.OutputLogits].Row(row), logits)
		compare(t, fmt.Sprintf("row %d probabilities", row), out[onnxgraph.OutputProbabilities].Row(row), probabilities(logits, act))
	}
}

func compare(t *testing.T, what string, got []float32, want []float64) {
	t.Helper()
	if !within(got, want) {
		t.Fatalf("%s = %v, want %v within %g", what, got, want, tolerance)
	}
}

// within reports whether got equals want up to tolerance (relative above 1).
func within(got []float32, want []float64) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range want {
		if math.Abs(float64(got[i])-want[i]) > tolerance*math.Max(1, math.Abs(want[i])) {
			return false
		}
	}
	return true
}

var graphCases = []struct {
	batch int
	act   onnxgraph.Activation
}{{1, onnxgraph.Softmax}, {7, onnxgraph.Softmax}, {1, onnxgraph.Sigmoid}, {7, onnxgraph.Sigmoid}}

func TestSparseLinearMatchesReference(t *testing.T) {
	requireRuntime(t)
	const features, labels, nonZeros = 300, 5, 9
	for _, tc := range graphCases {
		t.Run(fmt.Sprintf("%s/batch%d", tc.act, tc.batch), func(t *testing.T) {
			r := rand.New(rand.NewPCG(1, uint64(tc.batch)))
			weights, bias := randomMatrix(r, features, labels, 1), randomMatrix(r, 1, labels, 1).Data
			g, err := onnxgraph.SparseLinear(weights, bias, tc.act)
			if err != nil {
				t.Fatal(err)
			}
			batch := randomSparse(r, tc.batch, nonZeros, features)
			want := batch.weightedRows(weights)
			for _, row := range want {
				for c := range row {
					row[c] += float64(bias[c])
				}
			}
			checkHead(t, runGraph(t, g, batch.inputs()), want, tc.act)
		})
	}
}

func TestSparseEmbeddingMLPMatchesReference(t *testing.T) {
	requireRuntime(t)
	const features, dim, labels, nonZeros = 200, 8, 4, 6
	for _, tc := range graphCases {
		for _, depth := range []int{0, 2} {
			t.Run(fmt.Sprintf("%s/batch%d/hidden%d", tc.act, tc.batch, depth), func(t *testing.T) {
				r := rand.New(rand.NewPCG(2, uint64(tc.batch*10+depth)))
				embedding := randomMatrix(r, features, dim, 1)
				var hidden []onnxgraph.Dense
				for range depth {
					hidden = append(hidden, randomDense(r, dim, dim))
				}
				out := randomDense(r, dim, labels)
				g, err := onnxgraph.SparseEmbeddingMLP(embedding, hidden, out, tc.act)
				if err != nil {
					t.Fatal(err)
				}
				batch := randomSparse(r, tc.batch, nonZeros, features)
				sums := batch.valueSums()
				var want [][]float64
				for row, x := range batch.weightedRows(embedding) {
					for c := range x {
						x[c] /= math.Max(sums[row], 1e-12)
					}
					want = append(want, mlpForward(x, hidden, out))
				}
				checkHead(t, runGraph(t, g, batch.inputs()), want, tc.act)
			})
		}
	}
}

func TestDenseMLPMatchesReference(t *testing.T) {
	requireRuntime(t)
	const features, labels = 16, 6
	for _, tc := range graphCases {
		t.Run(fmt.Sprintf("%s/batch%d", tc.act, tc.batch), func(t *testing.T) {
			r := rand.New(rand.NewPCG(3, uint64(tc.batch)))
			hidden := []onnxgraph.Dense{randomDense(r, features, 12), randomDense(r, 12, 10)}
			out := randomDense(r, 10, labels)
			g, err := onnxgraph.DenseMLP(features, hidden, out, tc.act)
			if err != nil {
				t.Fatal(err)
			}
			x := randomMatrix(r, tc.batch, features, 1)
			var want [][]float64
			for row := range tc.batch {
				xs := make([]float64, features)
				for i := range xs {
					xs[i] = float64(x.Data[row*features+i])
				}
				want = append(want, mlpForward(xs, hidden, out))
			}
			in := classify.Float32Input(onnxgraph.InputFeatures, []int64{int64(tc.batch), features}, x.Data)
			checkHead(t, runGraph(t, g, []classify.Input{in}), want, tc.act)
		})
	}
}

// TestBertGraphsIgnorePadding runs onnxgraph's BERT encoder and classifier
// on a sequence and on the same sequence padded: attention must keep the
// padding out, so the real tokens' hidden states and the logits agree.
func TestBertGraphsIgnorePadding(t *testing.T) {
	requireRuntime(t)
	shape := onnxgraph.BertShape{TinyTransformer: onnxgraph.TinyTransformer{Vocab: 40, Hidden: 8, Positions: 16, Seed: 3},
		Layers: 2, Heads: 2, Intermediate: 16}
	ids := []int64{2, 17, 5, 33, 3}
	inputs := func(pad int) []classify.Input {
		row, mask := slices.Clone(ids), make([]int64, len(ids)+pad)
		for i := range mask {
			mask[i] = int64(min(1, max(0, len(ids)-i)))
		}
		row = append(row, make([]int64, pad)...)
		s := []int64{1, int64(len(row))}
		return []classify.Input{classify.Int64Input(onnxgraph.InputIDs, s, row), classify.Int64Input(onnxgraph.InputAttentionMask, s, mask),
			classify.Int64Input(onnxgraph.InputTokenTypeIDs, s, make([]int64, len(row)))}
	}
	enc, err := onnxgraph.BertEncoder(shape)
	if err != nil {
		t.Fatal(err)
	}
	short, long := runGraph(t, enc, inputs(0))[onnxgraph.OutputLastHidden], runGraph(t, enc, inputs(3))[onnxgraph.OutputLastHidden]
	if want := []int64{1, int64(len(ids) + 3), 8}; !slices.Equal(long.Shape, want) {
		t.Fatalf("%s shape %v, want %v", onnxgraph.OutputLastHidden, long.Shape, want)
	}
	compareLoosely(t, "hidden states of the real tokens", long.Data[:len(short.Data)], short.Data)
	cls, err := onnxgraph.BertSequenceClassifier(shape, 4)
	if err != nil {
		t.Fatal(err)
	}
	logits := runGraph(t, cls, inputs(0))[onnxgraph.OutputLogits]
	if want := []int64{1, 4}; !slices.Equal(logits.Shape, want) {
		t.Fatalf("logits shape %v, want %v", logits.Shape, want)
	}
	compareLoosely(t, "logits", runGraph(t, cls, inputs(3))[onnxgraph.OutputLogits].Data, logits.Data)
}

// compareLoosely compares two ONNX Runtime outputs: padding changes the
// order of float32 sums, so they agree to 1e-4 relative, not exactly.
func compareLoosely(t *testing.T, what string, got, want []float32) {
	t.Helper()
	for i := range want {
		if math.Abs(float64(got[i]-want[i])) > 1e-4*math.Max(1, math.Abs(float64(want[i]))) {
			t.Fatalf("%s: value %d is %v padded, %v not", what, i, got[i], want[i])
		}
	}
}
