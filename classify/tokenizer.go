package classify

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"unicode"

	"github.com/sugarme/tokenizer"
	"github.com/sugarme/tokenizer/pretrained"
	"golang.org/x/text/unicode/norm"
)

// TokenizerFile is the Hugging Face tokenizer inside a model directory.
const TokenizerFile = "tokenizer.json"

// Tokenizer turns texts into the int64 id, attention-mask and token-type
// rows of a transformer model. It loads a Hugging Face tokenizer.json with
// github.com/sugarme/tokenizer and works around two of its defects: it does
// not strip accents as BERT's normalizer does, so texts are decomposed (NFD)
// and their combining marks dropped first; and it mis-tokenizes text holding
// zero-width or other format characters, so control, format and private-use
// characters (tab, newline and carriage return aside) are removed first, as
// BERT's clean_text does. A Tokenizer is safe for concurrent use.
type Tokenizer struct {
	path         string
	tk           *tokenizer.Tokenizer
	lowercase    bool
	stripAccents bool
	padID        int64
	specials     int // tokens the post-processor adds to one sequence
}

// tokenizerHeader is the part of tokenizer.json the workarounds read.
type tokenizerHeader struct {
	Normalizer *struct {
		Type         string `json:"type"`
		Lowercase    *bool  `json:"lowercase"`
		StripAccents *bool  `json:"strip_accents"`
	} `json:"normalizer"`
	Padding *struct {
		PadID int64 `json:"pad_id"`
	} `json:"padding"`
}

// LoadTokenizer reads a tokenizer.json file.
func LoadTokenizer(path string) (*Tokenizer, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load tokenizer: %w", err)
	}
	var header tokenizerHeader
	if err := json.Unmarshal(raw, &header); err != nil {
		return nil, fmt.Errorf("load tokenizer %s: %w", path, err)
	}
	tk, err := pretrained.FromReader(strings.NewReader(string(raw)))
	if err != nil {
		return nil, fmt.Errorf("load tokenizer %s: %w", path, err)
	}
	// Truncation and padding depend on each call's maxLen: Tokenize does them.
	tk.WithTruncation(nil)
	tk.WithPadding(nil)
	t := &Tokenizer{path: path, tk: tk}
	if n := header.Normalizer; n != nil && n.Type == "BertNormalizer" {
		t.lowercase = n.Lowercase == nil || *n.Lowercase
		// BERT strips accents when strip_accents is true, or null and lowercasing.
		t.stripAccents = t.lowercase
		if n.StripAccents != nil {
			t.stripAccents = *n.StripAccents
		}
	}
	switch {
	case header.Padding != nil:
		t.padID = header.Padding.PadID
	default:
		id, ok := tk.TokenToId("[PAD]")
		if !ok {
			return nil, fmt.Errorf("load tokenizer %s: no padding settings and no [PAD] token", path)
		}
		t.padID = int64(id)
	}
	if pp := tk.GetPostProcessor(); pp != nil {
		t.specials = pp.AddedTokens(false)
	}
	return t, nil
}

// Tokenize encodes each text with the model's special tokens, truncated to
// maxLen tokens and padded to the longest row, and returns the input ids,
// attention masks (1 for tokens, 0 for padding) and token type ids.
func (t *Tokenizer) Tokenize(texts []string, maxLen int) (ids, mask, typeIDs [][]int64, err error) {
	encodings, err := t.encodeAll(texts, maxLen)
	if err != nil {
		return nil, nil, nil, err
	}
	ids, mask, typeIDs = t.pad(encodings)
	return ids, mask, typeIDs, nil
}

// encodeAll encodes each text with the model's special tokens, truncated
// to maxLen tokens.
func (t *Tokenizer) encodeAll(texts []string, maxLen int) ([]*tokenizer.Encoding, error) {
	if maxLen <= t.specials {
		return nil, fmt.Errorf("tokenize with %s: maxLen %d leaves no room beside %d special tokens", t.path, maxLen, t.specials)
	}
	encodings := make([]*tokenizer.Encoding, len(texts))
	for i, text := range texts {
		enc, err := t.encode(text, maxLen)
		if err != nil {
			return nil, fmt.Errorf("tokenize text %d with %s: %w", i, t.path, err)
		}
		encodings[i] = enc
	}
	return encodings, nil
}

// pad lays the encodings out as rows of the longest one's width.
func (t *Tokenizer) pad(encodings []*tokenizer.Encoding) (ids, mask, typeIDs [][]int64) {
	width := 0
	for _, enc := range encodings {
		width = max(width, enc.Len())
	}
	ids, mask, typeIDs = make([][]int64, len(encodings)), make([][]int64, len(encodings)), make([][]int64, len(encodings))
	for i, enc := range encodings {
		ids[i], mask[i], typeIDs[i] = make([]int64, width), make([]int64, width), make([]int64, width)
		for j := range width {
			ids[i][j] = t.padID
		}
		for j, id := range enc.Ids {
			ids[i][j], mask[i][j], typeIDs[i][j] = int64(id), 1, int64(enc.TypeIds[j])
		}
	}
	return ids, mask, typeIDs
}

// encode tokenizes one text, truncates its tokens to leave room for the
// special tokens and adds them.
func (t *Tokenizer) encode(text string, maxLen int) (*tokenizer.Encoding, error) {
	enc, err := t.tk.EncodeSingleSequence(tokenizer.NewInputSequence(t.clean(text)), 0, tokenizer.Byte)
	if err != nil {
		return nil, err
	}
	if limit := maxLen - t.specials; enc.Len() > limit {
		enc, err = enc.Truncate(limit, 0)
		if err != nil {
			return nil, err
		}
	}
	return t.tk.PostProcess(enc, nil, true), nil
}

// clean applies the normalisation the tokenizer library gets wrong: it drops
// control, format and private-use characters (keeping tab, newline and
// carriage return, which separate words), and when the normalizer strips
// accents it lowercases, decomposes and drops combining marks as BERT does.
func (t *Tokenizer) clean(text string) string {
	text = strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return r
		}
		if unicode.In(r, unicode.Cc, unicode.Cf, unicode.Co) || r == unicode.ReplacementChar {
			return -1
		}
		return r
	}, text)
	if !t.stripAccents {
		return text
	}
	if t.lowercase {
		text = strings.ToLower(text)
	}
	return strings.Map(func(r rune) rune {
		if unicode.Is(unicode.Mn, r) {
			return -1
		}
		return r
	}, norm.NFD.String(text))
}
