package classify_test

import (
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/commit-labeler/commit-labeler/classify"
	"github.com/commit-labeler/commit-labeler/internal/onnxfixture"
)

func loadFixtureTokenizer(tb testing.TB) *classify.Tokenizer {
	tb.Helper()
	dir := tb.TempDir()
	if err := onnxfixture.WriteTinyEncoderFixture(dir); err != nil {
		tb.Fatal(err)
	}
	tok, err := classify.LoadTokenizer(filepath.Join(dir, classify.TokenizerFile))
	if err != nil {
		tb.Fatal(err)
	}
	return tok
}

// Ids of the fixture vocabulary (onnxfixture.Vocabulary): [PAD] 0, [UNK] 1,
// [CLS] 2, [SEP] 3, punctuation from 5 ("!" 5, "," 16, "." 18, ":" 20),
// digits from 37, letters from 47 ("a" 47), "##" letters from 73, then
// words from 109 (the 109, fix 130, bug 132, test 133, docs 135, readme 137,
// update 138, cafe 242) and suffixes (##ed 296).
func TestTokenizeKnownIDs(t *testing.T) {
	tok := loadFixtureTokenizer(t)
	tests := []struct {
		name string
		text string
		want []int64
	}{
		{"suffix and accent", "Fixed the Café bug", []int64{2, 130, 296, 109, 242, 132, 3}},
		{"zero-width space", "fix\u200b bug", []int64{2, 130, 132, 3}},
		{"zero-width inside a word", "up\u200bdate docs", []int64{2, 138, 135, 3}},
		{"combining accent", "Cafe\u0301: update README.", []int64{2, 242, 20, 138, 137, 18, 3}},
		{"byte order mark and private use", "\ufefftest\ue000 fix", []int64{2, 133, 130, 3}},
		{"unknown script", "fix 漢", []int64{2, 130, 1, 3}},
		{"empty", "", []int64{2, 3}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ids, mask, types, err := tok.Tokenize([]string{tc.text}, 32)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(ids[0], tc.want) {
				t.Errorf("ids = %v, want %v", ids[0], tc.want)
			}
			for j := range ids[0] {
				if mask[0][j] != 1 || types[0][j] != 0 {
					t.Fatalf("mask %v types %v, want all 1 and all 0", mask[0], types[0])
				}
			}
		})
	}
}

func TestTokenizeTruncatesAndPads(t *testing.T) {
	tok := loadFixtureTokenizer(t)
	ids, mask, types, err := tok.Tokenize([]string{"fix bug", "update the docs for the readme test"}, 5)
	if err != nil {
		t.Fatal(err)
	}
	wantIDs := [][]int64{{2, 130, 132, 3, 0}, {2, 138, 109, 135, 3}}
	wantMask := [][]int64{{1, 1, 1, 1, 0}, {1, 1, 1, 1, 1}}
	for i := range wantIDs {
		if !slices.Equal(ids[i], wantIDs[i]) || !slices.Equal(mask[i], wantMask[i]) || len(types[i]) != 5 {
			t.Errorf("row %d: ids %v mask %v types %v, want ids %v mask %v", i, ids[i], mask[i], types[i], wantIDs[i], wantMask[i])
		}
	}
	if _, _, _, err := tok.Tokenize([]string{"fix"}, 2); err == nil {
		t.Error("maxLen 2 leaves no room for text: want an error")
	}
}

func TestLoadTokenizerErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := classify.LoadTokenizer(filepath.Join(dir, "missing.json")); err == nil {
		t.Error("missing file: want an error")
	}
}

// FuzzTokenize: any text (commit messages are untrusted) tokenizes into
// rows of equal width within maxLen, starting with [CLS].
func FuzzTokenize(f *testing.F) {
	tok := loadFixtureTokenizer(f)
	for _, s := range []string{"Fixed the Café bug", "fix\u200b bug", "\x00\xff", "漢字 ##ed [SEP] [CLS]", "a\u0301\u0301\u0301"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		ids, mask, types, err := tok.Tokenize([]string{text, "fix"}, 16)
		if err != nil {
			t.Fatal(err)
		}
		for i := range ids {
			if len(ids[i]) > 16 || len(ids[i]) != len(ids[0]) || len(mask[i]) != len(ids[i]) || len(types[i]) != len(ids[i]) {
				t.Fatalf("ragged or too long rows: %v", ids)
			}
			if ids[i][0] != 2 {
				t.Fatalf("row %d does not start with [CLS]: %v", i, ids[i])
			}
		}
	})
}

// One tokenizer serves many goroutines at once (run with -race).
func TestTokenizeConcurrently(t *testing.T) {
	tok := loadFixtureTokenizer(t)
	want, _, _, err := tok.Tokenize(commitTexts, 16)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 20 {
				got, _, _, err := tok.Tokenize(commitTexts, 16)
				if err != nil || !slices.EqualFunc(got, want, slices.Equal) {
					t.Errorf("concurrent Tokenize = %v, %v; want %v", got, err, want)
					return
				}
			}
		})
	}
	wg.Wait()
}
