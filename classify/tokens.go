package classify

import (
	"math"
	"slices"
	"strings"
	"unicode"

	"github.com/commit-labeler/commit-labeler/onnxgraph"
)

// TokenConfig selects the namespaces of tokens a linear or bag-of-n-grams
// model reads from Features. It is stored in model.json so that serving
// builds exactly the tokens training did.
type TokenConfig struct {
	// SubjectChars adds character n-grams of the subject's words, each
	// word padded with "<" and ">" so that n-grams at its edges are their
	// own: 3- to 5-grams unless SubjectCharRange says otherwise.
	SubjectChars bool `json:"subject_chars"`
	// SubjectCharRange is [shortest, longest] n-gram length when set.
	SubjectCharRange []int `json:"subject_char_range,omitempty"`
	// BodyWords is how many words of the body are read (0: none).
	BodyWords int `json:"body_words"`
	// DiffWords is how many words of changed diff lines are read (0: none).
	DiffWords int `json:"diff_words"`
	// NormaliseWords maps subject and body words to a normal form
	// (NormalWord): numbers and versions to one token each, plural and
	// past/progressive verb endings stripped, so "bumps"/"bumped"/"bump"
	// and "v1.2.3"/"v2" share a weight across repositories.
	NormaliseWords bool `json:"normalise_words,omitempty"`
	// Weights scale each namespace group: "subject", "chars", "body",
	// "files", "shape", "diff" (missing: 1).
	Weights map[string]float64 `json:"weights,omitempty"`
	// GroupNorm scales each group's log-scaled counts to unit length before
	// its weight, so that a group's say does not grow with how many tokens
	// it emits (the character n-grams of a subject outnumber its words
	// tenfold): the groups are then weighed by Weights alone.
	GroupNorm bool `json:"group_norm,omitempty"`
}

// DefaultTokenConfig is the configuration of the shipped linear model.
func DefaultTokenConfig() TokenConfig {
	// File tokens at half weight: paths are the most repository-specific
	// input, and halving them raised macro-F1 on unseen repositories
	// (0.369 → 0.383).
	return TokenConfig{BodyWords: 150, Weights: map[string]float64{"files": 0.5}}
}

// Token is one named input feature with its weight (a log-scaled count).
type Token struct {
	Name   string
	Weight float64
}

// Tokens turns features into weighted tokens in namespaces ("s:" subject
// word, "p:" path word, "cat:" file category, ...). Counts are log-scaled
// (1 + ln n) and multiplied by the group's weight; the order is the order
// of first occurrence, so it is deterministic.
func Tokens(f *Features, cfg TokenConfig) []Token {
	t := tokenBuilder{counts: make(map[string]float64, 128), cfg: cfg}
	t.subject(f)
	t.body(f)
	t.files(f)
	t.shape(f)
	t.diff(f)
	out := make([]Token, len(t.order))
	for i, name := range t.order {
		c := t.counts[name]
		if c >= 1 {
			c = 1 + math.Log(c)
		}
		out[i] = Token{Name: name, Weight: c}
	}
	if cfg.GroupNorm {
		// Tokens of a group are contiguous: groups are added one after another.
		for start := 0; start < len(out); {
			end := start
			sq := 0.0
			for ; end < len(out) && t.groupOf[end] == t.groupOf[start]; end++ {
				sq += out[end].Weight * out[end].Weight
			}
			for i := start; i < end; i++ {
				out[i].Weight /= math.Sqrt(sq)
			}
			start = end
		}
	}
	for i := range out {
		out[i].Weight *= t.weight[i]
	}
	return out
}

type tokenBuilder struct {
	cfg    TokenConfig
	counts map[string]float64
	order  []string
	weight []float64
	// groupOf numbers each token's group in the order groups were set.
	groupOf []int
	group   float64
	groupNo int
}

func (t *tokenBuilder) setGroup(name string) {
	t.groupNo++
	t.group = 1
	if w, ok := t.cfg.Weights[name]; ok {
		t.group = w
	}
}

func (t *tokenBuilder) add(name string, n float64) {
	if _, ok := t.counts[name]; !ok {
		t.order = append(t.order, name)
		t.weight = append(t.weight, t.group)
		t.groupOf = append(t.groupOf, t.groupNo)
	}
	t.counts[name] += n
}

func (t *tokenBuilder) subject(f *Features) {
	t.setGroup("subject")
	ws := t.words(f.Subject)
	if len(ws) == 0 {
		t.add(TokenSubjectEmpty, 1)
	} else {
		t.add(TokenSubjectFirst+ws[0], 1)
	}
	if _, ok := ParseHeader(f.Subject); ok {
		// A masked subject that still starts with a header is a revert of a
		// conventional commit: `Revert "feat: x"` masks to "feat: x".
		t.add(TokenSubjectHeader, 1)
	}
	for i, w := range ws {
		t.add(TokenSubjectWord+w, 1)
		if i > 0 {
			t.add(TokenSubjectPair+ws[i-1]+"_"+w, 1)
		}
	}
	if t.cfg.SubjectChars {
		t.setGroup("chars")
		lo, hi := 3, 5
		if r := t.cfg.SubjectCharRange; len(r) == 2 {
			lo, hi = r[0], r[1]
		}
		// Characters of the words as written: the n-grams already share
		// what normalising would.
		for _, w := range Words(f.Subject) {
			r := []rune("<" + w + ">")
			for n := lo; n <= hi; n++ {
				for i := 0; i+n <= len(r); i++ {
					t.add(TokenSubjectChars+string(r[i:i+n]), 1)
				}
			}
		}
	}
}

func (t *tokenBuilder) body(f *Features) {
	if t.cfg.BodyWords <= 0 || f.Body == "" {
		return
	}
	t.setGroup("body")
	ws := t.words(f.Body)
	if len(ws) > t.cfg.BodyWords {
		ws = ws[:t.cfg.BodyWords]
	}
	for _, w := range ws {
		t.add(TokenBodyWord+w, 1)
	}
}

// words splits message text into words, normalised when configured.
func (t *tokenBuilder) words(s string) []string {
	ws := Words(s)
	if t.cfg.NormaliseWords {
		for i, w := range ws {
			ws[i] = NormalWord(w)
		}
	}
	return ws
}

// NormalWord maps a lower-case word to its normal form: a word with digits
// becomes "<num>" (all digits) or "<ver>" (letters and digits, as in "v2"
// or "rc1"); otherwise a plural "s"/"es", "ed" or "ing" ending is stripped
// from words long enough to keep a stem of at least three letters, and
// then a final "e". It is exported so that explanations can name the word
// of the text a normalised token came from.
func NormalWord(w string) string {
	digits, others := 0, 0
	for _, r := range w {
		if unicode.IsDigit(r) {
			digits++
		} else {
			others++
		}
	}
	switch {
	case digits > 0 && others == 0:
		return "<num>"
	case digits > 0:
		return "<ver>"
	}
	for _, suffix := range []string{"ing", "ed", "es", "s"} {
		if stem, ok := strings.CutSuffix(w, suffix); ok && len(stem) >= 3 && !strings.HasSuffix(stem, "s") {
			w = stem
			break
		}
	}
	// "update", "updates", "updated" and "updating" all end up "updat".
	if len(w) >= 4 {
		w = strings.TrimSuffix(w, "e")
	}
	return w
}

func (t *tokenBuilder) files(f *Features) {
	t.setGroup("files")
	for _, fl := range f.Files {
		p := strings.ToLower(fl.Path)
		t.add(TokenCategory+string(fl.Category), 1)
		t.add(TokenExtension+FileExt(p), 1)
		t.add(TokenTopDir+TopDir(p), 1)
		t.add(TokenBase+p[strings.LastIndexByte(p, '/')+1:], 1)
		t.add(TokenStatus+fl.Status, 1)
		for _, w := range Words(p) {
			t.add(TokenPathWord+w, 0.5)
		}
	}
}

func (t *tokenBuilder) shape(f *Features) {
	t.setGroup("shape")
	for cat, st := range f.Categories {
		t.add(TokenCategoryFiles+string(cat)+":"+shareBucket(st.FileShare), 1)
		t.add(TokenCategoryLines+string(cat)+":"+shareBucket(st.LineShare), 1)
	}
	t.add(TokenLines+f.LinesBucket, 1)
	t.add(TokenFiles+f.FilesBucket, 1)
	t.add(TokenAdditions+shareBucket(f.AdditionShare), 1)
	if f.AuthorIsBot {
		t.add(TokenAuthorBot, 1)
	}
	d := f.DiffStats
	t.add(TokenBlank+shareBucket(d.BlankShare), 1)
	t.add(TokenComment+shareBucket(d.CommentShare), 1)
	t.add(TokenWhitespace+shareBucket(d.WhitespaceShare), 1)
	t.add(TokenMoved+shareBucket(d.MovedShare), 1)
	t.add(TokenVersion+shareBucket(d.VersionShare), 1)
	if f.Status.RenameOnly > 0 {
		t.add(TokenRenameOnly, 1)
	}
}

func (t *tokenBuilder) diff(f *Features) {
	if t.cfg.DiffWords <= 0 {
		return
	}
	t.setGroup("diff")
	n := 0
	for line := range strings.SplitSeq(f.DiffExcerpt, "\n") {
		if len(line) < 2 || (line[0] != '+' && line[0] != '-') {
			continue
		}
		ns := TokenDiffAdded
		if line[0] == '-' {
			ns = TokenDiffRemoved
		}
		for _, w := range Words(line[1:]) {
			if len(w) < 3 {
				continue
			}
			t.add(ns+w, 1)
			if n++; n >= t.cfg.DiffWords {
				return
			}
		}
	}
}

// shareBucket names the size class of a share in [0, 1].
func shareBucket(x float64) string {
	switch {
	case x <= 0:
		return "0"
	case x < 0.25:
		return "low"
	case x < 0.75:
		return "mid"
	case x < 1:
		return "high"
	}
	return "all"
}

// Words splits text into lower-case runs of letters and digits.
func Words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// InputText renders features as one text for sentence encoders and
// transformers: the masked subject, the body's first lines and the paths.
func InputText(f *Features) string {
	var b strings.Builder
	b.WriteString(f.Subject)
	if f.Body != "" {
		body := f.Body
		if len(body) > 500 {
			body = truncateRunes(body, 500)
		}
		b.WriteString("\n")
		b.WriteString(body)
	}
	for i, fl := range f.Files {
		if i == 20 {
			break
		}
		b.WriteString("\n")
		b.WriteString(fl.Status)
		b.WriteString(" ")
		b.WriteString(fl.Path)
	}
	return b.String()
}

// HashToken maps a token name to one of dims feature indices (FNV-1a).
func HashToken(name string, dims int) int {
	const offset, prime = 2166136261, 16777619
	h := uint32(offset)
	for i := 0; i < len(name); i++ {
		h ^= uint32(name[i])
		h *= prime
	}
	return int(h % uint32(dims))
}

// SparseVector is a hashed bag of tokens: indices with their summed weights,
// in ascending index order.
type SparseVector struct {
	Indices []int64
	Values  []float32
}

// Hash turns tokens into a sparse vector of dims dimensions, summing
// tokens that collide.
func Hash(tokens []Token, dims int) SparseVector {
	acc := make(map[int64]float64, len(tokens))
	for _, t := range tokens {
		acc[int64(HashToken(t.Name, dims))] += t.Weight
	}
	v := SparseVector{Indices: make([]int64, 0, len(acc)), Values: make([]float32, 0, len(acc))}
	for i := range acc {
		v.Indices = append(v.Indices, i)
	}
	slices.Sort(v.Indices)
	for _, i := range v.Indices {
		v.Values = append(v.Values, float32(acc[i]))
	}
	return v
}

// PadSparse lays sparse vectors out as the sparse graphs' [N, K] inputs
// (onnxgraph.InputIndices, InputValues), padding with index 0 and value 0,
// which adds nothing.
func PadSparse(vecs []SparseVector) (Input, Input) {
	k := 1
	for _, v := range vecs {
		k = max(k, len(v.Indices))
	}
	idx := make([]int64, len(vecs)*k)
	val := make([]float32, len(vecs)*k)
	for i, v := range vecs {
		copy(idx[i*k:], v.Indices)
		copy(val[i*k:], v.Values)
	}
	shape := []int64{int64(len(vecs)), int64(k)}
	return Int64Input(onnxgraph.InputIndices, shape, idx), Float32Input(onnxgraph.InputValues, shape, val)
}
