package classify

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/commit-labeler/commit-labeler/onnxgraph"
)

// pretrainedEncoderDir is the encoder `scripts/setup.sh encoder` fetches
// (all-minilm-l6-v2-q), or COMMIT_LABELER_ENCODER; the test skips when it
// is absent, so the suite runs without it.
func pretrainedEncoderDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("COMMIT_LABELER_ENCODER")
	if dir == "" {
		cache := os.Getenv("COMMIT_LABELER_CACHE")
		if cache == "" {
			base, err := os.UserCacheDir()
			if err != nil {
				t.Skipf("no cache directory: %v", err)
			}
			cache = filepath.Join(base, "commit-labeler")
		}
		dir = filepath.Join(cache, "encoders", "all-minilm-l6-v2-q")
	}
	if _, err := os.Stat(filepath.Join(dir, TokenizerFile)); err != nil {
		t.Skipf("pretrained encoder absent (run scripts/setup.sh encoder): %v", err)
	}
	return dir
}

// TestPretrainedEncoderTokenizer checks the real encoder's tokenizer
// against the ids bert-base-uncased's vocabulary gives (all-MiniLM-L6-v2
// reads it): a normaliser or pre-tokeniser read wrongly changes them.
func TestPretrainedEncoderTokenizer(t *testing.T) {
	dir := pretrainedEncoderDir(t)
	tok, err := LoadTokenizer(filepath.Join(dir, TokenizerFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		text string
		want []int64
	}{
		{"hello world", []int64{101, 7592, 2088, 102}},
		{"Fix crash when the config file is empty", []int64{101, 8081, 5823, 2043, 1996, 9530, 8873, 2290, 5371, 2003, 4064, 102}},
		{"Café naïve déjà vu", []int64{101, 7668, 15743, 2139, 3900, 24728, 102}},
	} {
		ids, mask, _, err := tok.Tokenize([]string{tc.text}, DefaultMaxTokens)
		if err != nil {
			t.Fatal(err)
		}
		var got []int64
		for i, id := range ids[0] {
			if mask[0][i] == 1 {
				got = append(got, id)
			}
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%q: ids %v, want %v", tc.text, got, tc.want)
		}
	}
}

// TestPretrainedEncoderEmbedsMeaning: mean-pooled sentence embeddings of
// the real encoder put a crash fix nearer a bug fix than a README update.
func TestPretrainedEncoderEmbedsMeaning(t *testing.T) {
	dir := pretrainedEncoderDir(t)
	requireORT(t)
	r, err := openTextRunner(dir, DefaultMaxTokens, onnxgraph.OutputLastHidden)
	if err != nil {
		t.Fatal(err)
	}
	e := &onnxEmbedder{runner: r, pooling: PoolMean}
	defer e.close()
	v, err := e.embed(context.Background(), []string{"fix a crash", "fix a bug", "update the readme"})
	if err != nil {
		t.Fatal(err)
	}
	if len(v[0]) != 384 {
		t.Fatalf("embedding of %d dimensions, want 384", len(v[0]))
	}
	if bug, readme := cosine(v[0], v[1]), cosine(v[0], v[2]); bug <= readme+0.1 {
		t.Errorf("cos(crash, bug) %.3f, cos(crash, readme) %.3f: want the bug fix clearly nearer", bug, readme)
	}
}

func cosine(a, b []float32) float64 {
	var ab, aa, bb float64
	for i := range a {
		ab += float64(a[i]) * float64(b[i])
		aa += float64(a[i]) * float64(a[i])
		bb += float64(b[i]) * float64(b[i])
	}
	return ab / math.Sqrt(aa*bb)
}
