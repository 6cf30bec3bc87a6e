package classify_test

import (
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/commit-labeler/commit-labeler/classify"
	"github.com/commit-labeler/commit-labeler/internal/onnxfixture"
	"github.com/commit-labeler/commit-labeler/onnxgraph"
)

var commitTexts = []string{"Fixed the Café bug", "docs: update README", "bump deps", "refactor the ci build scripts for linux"}

func openSession(t testing.TB, dir string) *classify.Session {
	t.Helper()
	s, err := classify.OpenSession(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	return s
}

// tokenized returns the fixture tokenizer's rows for texts as session inputs.
func tokenized(t *testing.T, dir string, texts []string, names ...string) (inputs []classify.Input, mask [][]int64) {
	t.Helper()
	return tokenizedTo(t, dir, texts, onnxfixture.MaxLength, names...)
}

// tokenizedTo is tokenized with at most maxLength tokens a text.
func tokenizedTo(t *testing.T, dir string, texts []string, maxLength int, names ...string) (inputs []classify.Input, mask [][]int64) {
	t.Helper()
	tok, err := classify.LoadTokenizer(filepath.Join(dir, classify.TokenizerFile))
	if err != nil {
		t.Fatal(err)
	}
	ids, mask, types, err := tok.Tokenize(texts, maxLength)
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string][][]int64{onnxgraph.InputIDs: ids, onnxgraph.InputAttentionMask: mask, onnxgraph.InputTokenTypeIDs: types}
	for _, name := range names {
		in, err := classify.Int64Rows(name, rows[name])
		if err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, in)
	}
	return inputs, mask
}

// runFixture checks a fixture directory's signature and runs commitTexts through it.
func runFixture(t *testing.T, dir string, wantIn []string, wantOut string) (map[string]classify.Float32Tensor, [][]int64) {
	t.Helper()
	s := openSession(t, dir)
	if got := s.InputNames(); !slices.Equal(got, wantIn) {
		t.Fatalf("inputs %v, want %v", got, wantIn)
	}
	if got := s.OutputNames(); !slices.Equal(got, []string{wantOut}) {
		t.Fatalf("outputs %v, want [%s]", got, wantOut)
	}
	inputs, mask := tokenized(t, dir, commitTexts, wantIn...)
	out, err := s.Run(context.Background(), inputs...)
	if err != nil {
		t.Fatal(err)
	}
	return out, mask
}

func TestTinyEncoderFixtureSignature(t *testing.T) {
	requireRuntime(t)
	dir := t.TempDir()
	if err := onnxfixture.WriteTinyEncoderFixture(dir); err != nil {
		t.Fatal(err)
	}
	wantIn := []string{onnxgraph.InputIDs, onnxgraph.InputAttentionMask, onnxgraph.InputTokenTypeIDs}
	out, mask := runFixture(t, dir, wantIn, onnxgraph.OutputLastHidden)
	hidden := out[onnxgraph.OutputLastHidden]
	width := len(mask[0])
	if want := []int64{int64(len(commitTexts)), int64(width), onnxfixture.Hidden}; !slices.Equal(hidden.Shape, want) {
		t.Fatalf("last_hidden_state shape %v, want %v", hidden.Shape, want)
	}
	for b, row := range mask {
		for tok, m := range row {
			state := hidden.Data[(b*width+tok)*onnxfixture.Hidden:][:onnxfixture.Hidden]
			zero := !slices.ContainsFunc(state, func(v float32) bool { return v != 0 })
			if zero != (m == 0) {
				t.Fatalf("text %d token %d: mask %d but hidden state %v", b, tok, m, state)
			}
		}
	}
}

func TestTinyClassifierFixtureSignature(t *testing.T) {
	requireRuntime(t)
	dir := t.TempDir()
	labels := []string{"bug", "feature", "documentation"}
	if err := onnxfixture.WriteTinyClassifierFixture(dir, labels); err != nil {
		t.Fatal(err)
	}
	out, _ := runFixture(t, dir, []string{onnxgraph.InputIDs, onnxgraph.InputAttentionMask}, onnxgraph.OutputLogits)
	if want := []int64{int64(len(commitTexts)), int64(len(labels))}; !slices.Equal(out[onnxgraph.OutputLogits].Shape, want) {
		t.Fatalf("logits shape %v, want %v", out[onnxgraph.OutputLogits].Shape, want)
	}
	raw, err := os.ReadFile(filepath.Join(dir, onnxfixture.LabelMappingFile))
	if err != nil {
		t.Fatal(err)
	}
	var mapping onnxfixture.LabelMapping
	if err := json.Unmarshal(raw, &mapping); err != nil {
		t.Fatal(err)
	}
	if mapping.ID2Label["2"] != "documentation" || mapping.Label2ID["bug"] != 0 {
		t.Errorf("label mapping %+v does not number %v in order", mapping, labels)
	}
}

func TestRunRejectsBadInputs(t *testing.T) {
	requireRuntime(t)
	dir := t.TempDir()
	if err := onnxfixture.WriteTinyClassifierFixture(dir, []string{"bug", "feature"}); err != nil {
		t.Fatal(err)
	}
	s := openSession(t, dir)
	ids := classify.Int64Input(onnxgraph.InputIDs, []int64{1, 2}, []int64{2, 3})
	mask := classify.Int64Input(onnxgraph.InputAttentionMask, []int64{1, 2}, []int64{1, 1})
	tests := []struct {
		name   string
		inputs []classify.Input
		want   string
	}{
		{"missing input", []classify.Input{ids}, `input "attention_mask" missing`},
		{"wrong type", []classify.Input{ids, classify.Float32Input(onnxgraph.InputAttentionMask, []int64{1, 2}, []float32{1, 1})}, "the model takes"},
		{"wrong rank", []classify.Input{ids, classify.Int64Input(onnxgraph.InputAttentionMask, []int64{2}, []int64{1, 1})}, "has shape [2]"},
		{"unknown input", []classify.Input{ids, mask, classify.Int64Input("extra", []int64{1}, []int64{1})}, `"extra" is not a model input`},
		{"duplicate", []classify.Input{ids, ids, mask}, "given twice"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.Run(context.Background(), tc.inputs...)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), dir) {
				t.Fatalf("error %v, want one naming %s and saying %q", err, dir, tc.want)
			}
		})
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Run(ctx, ids, mask); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled run: error %v, want context.Canceled", err)
	}
}

func TestOpenSessionMissingModel(t *testing.T) {
	requireRuntime(t)
	dir := t.TempDir()
	if _, err := classify.OpenSession(dir); err == nil || !strings.Contains(err.Error(), dir) {
		t.Fatalf("error %v, want one naming %s", err, dir)
	}
}

// A model whose weights (> 1 MB) went to model.onnx.data loads from its
// directory and answers exactly as the same model written inline.
func TestExternalDataRoundTrip(t *testing.T) {
	requireRuntime(t)
	r := rand.New(rand.NewPCG(4, 4))
	const features, labels = 1 << 15, 13 // 1.7 MB of weights
	g, err := onnxgraph.SparseLinear(randomMatrix(r, features, labels, 1), randomMatrix(r, 1, labels, 1).Data, onnxgraph.Softmax)
	if err != nil {
		t.Fatal(err)
	}
	batch := randomSparse(r, 7, 50, features)
	inline := runGraph(t, g, batch.inputs())

	dir := t.TempDir()
	if err := g.WriteFile(dir, onnxgraph.ExternalDataAbove(1<<20)); err != nil {
		t.Fatal(err)
	}
	model, err := os.Stat(filepath.Join(dir, onnxgraph.ModelFile))
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.Stat(filepath.Join(dir, onnxgraph.ExternalDataFile))
	if err != nil {
		t.Fatal(err)
	}
	if model.Size() > 64<<10 || data.Size() < features*labels*4 {
		t.Fatalf("model.onnx %d bytes, model.onnx.data %d bytes: weights not moved out", model.Size(), data.Size())
	}
	// Run from another working directory: the data file must resolve next to the model.
	t.Chdir(t.TempDir())
	external, err := openSession(t, dir).Run(context.Background(), batch.inputs()...)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{onnxgraph.OutputLogits, onnxgraph.OutputProbabilities} {
		if !slices.Equal(external[name].Data, inline[name].Data) {
			t.Errorf("%s differs between external and inline data", name)
		}
	}
}

// One session serves many goroutines at once (run with -race).
func TestSessionConcurrentRuns(t *testing.T) {
	requireRuntime(t)
	r := rand.New(rand.NewPCG(5, 5))
	const features, labels = 1000, 13
	weights, bias := randomMatrix(r, features, labels, 1), randomMatrix(r, 1, labels, 1).Data
	g, err := onnxgraph.SparseLinear(weights, bias, onnxgraph.Sigmoid)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := g.WriteFile(dir); err != nil {
		t.Fatal(err)
	}
	s := openSession(t, dir)
	const workers, runs = 8, 25
	batches := make([]sparseBatch, workers*runs)
	for i := range batches {
		batches[i] = randomSparse(r, 1+i%7, 20, features)
	}
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(batches); i += workers {
				out, err := s.Run(context.Background(), batches[i].inputs()...)
				if err != nil {
					errs <- err
					return
				}
				for row, x := range batches[i].weightedRows(weights) {
					for c := range x {
						x[c] += float64(bias[c])
					}
					if !within(out[onnxgraph.OutputLogits].Row(row), x) {
						errs <- errors.New("a concurrent run gave wrong logits")
						return
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// A context that is live during the call takes the terminating path and
// still returns the model's answer.
func TestRunWithCancellableContext(t *testing.T) {
	requireRuntime(t)
	dir := t.TempDir()
	if err := onnxfixture.WriteTinyClassifierFixture(dir, []string{"bug", "feature"}); err != nil {
		t.Fatal(err)
	}
	s := openSession(t, dir)
	inputs, _ := tokenized(t, dir, commitTexts, onnxgraph.InputIDs, onnxgraph.InputAttentionMask)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out, err := s.Run(ctx, inputs...)
	if err != nil {
		t.Fatal(err)
	}
	want, err := s.Run(context.Background(), inputs...)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(out[onnxgraph.OutputLogits].Data, want[onnxgraph.OutputLogits].Data) {
		t.Error("a cancellable context changed the logits")
	}
}
