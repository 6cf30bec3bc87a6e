package classify

import (
	"strings"
	"unicode/utf8"
)

// DiffLimit is the default most characters of diff text kept per commit, as
// in the corpus. Characters are Unicode code points, not bytes: the corpus
// keeps up to 4000 of them whatever their encoded length.
const DiffLimit = 4000

// DiffLineLimit is the most characters kept of one diff line; longer lines
// end with " [...]".
const DiffLineLimit = 1000

// lineCut ends a shortened line.
const lineCut = " [...]"

// DiffBuilder accumulates a unified diff line by line, shortening long lines
// and stopping at a line boundary once the limit would be passed. Training
// (extract) and serving (the bot) build diff text through it alike.
type DiffBuilder struct {
	limit int
	b     strings.Builder
	chars int // characters in b
	lines int
	full  bool
}

// NewDiffBuilder returns a builder keeping at most limit characters.
func NewDiffBuilder(limit int) *DiffBuilder {
	return &DiffBuilder{limit: limit}
}

// AddLine appends one line (without its newline). It reports false once the
// text is full; later lines are ignored.
func (d *DiffBuilder) AddLine(line string) bool {
	if d.full {
		return false
	}
	need := utf8.RuneCountInString(line)
	if need > DiffLineLimit {
		line = truncateRunes(line, DiffLineLimit) + lineCut
		need = DiffLineLimit + len(lineCut)
	}
	if d.lines > 0 {
		need++
	}
	if d.chars+need > d.limit {
		d.full = true
		return false
	}
	if d.lines > 0 {
		d.b.WriteByte('\n')
	}
	d.b.WriteString(line)
	d.chars += need
	d.lines++
	return true
}

// Full reports whether the limit was reached.
func (d *DiffBuilder) Full() bool { return d.full }

// String returns the diff text.
func (d *DiffBuilder) String() string { return d.b.String() }

// TruncateDiff cuts an existing diff text with the same rules as DiffBuilder.
func TruncateDiff(diff string, limit int) string {
	d := NewDiffBuilder(limit)
	for _, line := range strings.Split(strings.TrimSuffix(diff, "\n"), "\n") {
		if !d.AddLine(line) {
			break
		}
	}
	return d.String()
}
