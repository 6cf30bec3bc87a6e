package classify

import (
	"cmp"
	"slices"
	"strings"
	"sync"
)

// DiffExcerptLimit is the most characters (bytes) of Features.DiffExcerpt.
const DiffExcerptLimit = 2000

// DiffStats describes the changed lines of the (truncated) diff text: what
// kind of lines they are tells a reformatting (style) from a move (refactor)
// from a version bump (chore, build) from a real change (fix, feat, perf).
// Shares are of AddedLines+RemovedLines, rounded to four decimals.
type DiffStats struct {
	// Files and Hunks count the file sections and hunks of the diff text.
	Files int `json:"files"`
	Hunks int `json:"hunks"`
	// AddedLines and RemovedLines count the + and - lines of the diff text.
	AddedLines   int `json:"added_lines"`
	RemovedLines int `json:"removed_lines"`
	// Coverage is the share of the commit's changed lines that the diff text
	// shows (1 when it is complete); the other shares describe only those.
	Coverage float64 `json:"coverage"`
	// BlankShare is the share of changed lines that are empty or whitespace.
	BlankShare float64 `json:"blank_share"`
	// CommentShare is the share of changed lines that are comments in the
	// file's language.
	CommentShare float64 `json:"comment_share"`
	// WhitespaceShare is the share of changed lines that pair with a line on
	// the other side of the same file differing only in whitespace.
	WhitespaceShare float64 `json:"whitespace_share"`
	// MovedShare is the share of changed lines that pair with an identical
	// line on the other side of the same file (moved or reordered code).
	MovedShare float64 `json:"moved_share"`
	// VersionShare is the share of changed lines that pair with a line on the
	// other side of the same file differing only in a dotted version number.
	VersionShare float64 `json:"version_share"`
}

// commentStyle is how a language writes line comments.
type commentStyle uint8

const (
	commentNone   commentStyle = iota
	commentHash                // # comment
	commentSlash               // // comment, /* comment */, * continuation
	commentDash                // -- comment
	commentSemi                // ; comment
	commentMarkup              // <!-- comment -->
)

// commentStyles maps lower-case extensions, or names of files without one,
// to their comment style.
var commentStyles = map[string]commentStyle{}

func init() {
	for style, names := range map[commentStyle]string{
		commentHash: `py pyi pyx sh bash zsh fish rb yml yaml toml r pl pm cmake mk makefile dockerfile conf cfg tf
			nix ex exs prql properties gitignore dockerignore editorconfig gitattributes ps1 jl nim graphql gql cue rego`,
		commentSlash: `go rs ts tsx mts cts js jsx mjs cjs java kt kts scala groovy c h cc cpp cxx hpp hh hxx inl cu
			cs swift dart php proto scss less css zig sol v m mm jsonc json5 gradle hcl wgsl glsl metal astro`,
		commentDash:   `sql lua hs elm`,
		commentSemi:   `clj el lisp asm s ini`,
		commentMarkup: `html htm xml vue svelte md mdx`,
	} {
		for _, n := range strings.Fields(names) {
			commentStyles[n] = style
		}
	}
}

// commentStyleOf returns the comment style of a path.
func commentStyleOf(path string) commentStyle {
	if ext := FileExt(path); ext != "" {
		return commentStyles[ext]
	}
	return commentStyles[strings.ToLower(path[strings.LastIndexByte(path, '/')+1:])]
}

// isComment reports whether a trimmed, non-empty line is a comment.
func (s commentStyle) isComment(t string) bool {
	switch s {
	case commentHash:
		return t[0] == '#'
	case commentSlash:
		return strings.HasPrefix(t, "//") || strings.HasPrefix(t, "/*") || t[0] == '*'
	case commentDash:
		return strings.HasPrefix(t, "--")
	case commentSemi:
		return t[0] == ';'
	case commentMarkup:
		return strings.HasPrefix(t, "<!--")
	}
	return false
}

// diffAnalyzer reads a diff text once, counting DiffStats and building the
// excerpt. Its maps are reused from file to file.
type diffAnalyzer struct {
	stats                                      DiffStats
	blank, comment, whitespace, moved, version int

	style                    commentStyle
	removed, added           []changedLine
	removedOrder, addedOrder []int
	excerpt                  *DiffBuilder
}

// analyzeDiff returns the statistics of a diff text and its excerpt:
// metadata lines dropped, "diff --git a/X b/Y" shown as "file Y" (or
// "file X -> Y"), hunk headers reduced to "@@" and their context, cut at a
// line boundary at DiffExcerptLimit. changedLines is the commit's
// additions+deletions, for the coverage.
func analyzeDiff(diff string, changedLines int) (DiffStats, string) {
	a := analyzers.Get().(*diffAnalyzer)
	defer analyzers.Put(a)
	a.reset()
	a.excerpt = NewDiffBuilder(DiffExcerptLimit)
	a.excerpt.b.Grow(min(len(diff), DiffExcerptLimit)) // one allocation for the excerpt
	inHeader := false
	for rest := diff; rest != ""; {
		line := rest
		if i := strings.IndexByte(rest, '\n'); i >= 0 {
			line, rest = rest[:i], rest[i+1:]
		} else {
			rest = ""
		}
		switch {
		case strings.HasPrefix(line, "diff --git "):
			a.flush()
			a.stats.Files++
			oldPath, newPath := diffGitPaths(line)
			a.style = commentStyleOf(newPath)
			inHeader = true
			if oldPath != newPath {
				a.addExcerpt("file " + oldPath + " -> " + newPath)
			} else {
				a.addExcerpt("file " + newPath)
			}
		case strings.HasPrefix(line, "@@"):
			inHeader = false
			a.stats.Hunks++
			a.addExcerpt(hunkExcerpt(line))
		case inHeader:
			// index, mode, rename, similarity, ---/+++ lines repeat the file
			// header; only git's binary and large-file notes say more.
			if strings.HasPrefix(line, "Binary files ") || strings.HasPrefix(line, "Large file ") {
				a.addExcerpt(line)
			}
		case line == "":
			a.addExcerpt(line)
		case line[0] == '+':
			a.stats.AddedLines++
			a.changed(line[1:], &a.added)
			a.addExcerpt(line)
		case line[0] == '-':
			a.stats.RemovedLines++
			a.changed(line[1:], &a.removed)
			a.addExcerpt(line)
		case line[0] != '\\': // "\ No newline at end of file" says nothing
			a.addExcerpt(line)
		}
	}
	a.flush()

	total := a.stats.AddedLines + a.stats.RemovedLines
	a.stats.Coverage = 1
	if changedLines > total {
		a.stats.Coverage = share(total, changedLines)
	}
	a.stats.BlankShare = share(a.blank, total)
	a.stats.CommentShare = share(a.comment, total)
	a.stats.WhitespaceShare = share(a.whitespace, total)
	a.stats.MovedShare = share(a.moved, total)
	a.stats.VersionShare = share(a.version, total)
	return a.stats, a.excerpt.String()
}

// analyzers recycles the scratch slices of diffAnalyzer between calls.
var analyzers = sync.Pool{New: func() any { return new(diffAnalyzer) }}

// reset clears a recycled analyzer, keeping the capacity of its slices.
func (a *diffAnalyzer) reset() {
	*a = diffAnalyzer{
		removed: a.removed[:0], added: a.added[:0],
		removedOrder: a.removedOrder[:0], addedOrder: a.addedOrder[:0],
	}
}

func (a *diffAnalyzer) addExcerpt(line string) {
	if !a.excerpt.Full() {
		a.excerpt.AddLine(line)
	}
}

// changedLine is a non-blank added or removed line; its pairing keys
// (indexed by pairMode) are computed only when its file has lines on both sides.
type changedLine struct {
	content   string
	keys      [3]uint64
	versioned bool // holds a dotted version: takes part in pairVersion
	paired    bool
}

// changed classifies one added or removed line and keeps non-blank ones for
// pairing at the end of the file.
func (a *diffAnalyzer) changed(content string, side *[]changedLine) {
	t := strings.TrimSpace(content)
	if t == "" {
		a.blank++
		return
	}
	if a.style.isComment(t) {
		a.comment++
	}
	*side = append(*side, changedLine{content: content})
}

// FNV-1a, for the pairing keys.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// hash sets the keys of a line three ways in one pass: as is, without
// whitespace, and without whitespace with digit runs collapsed to one '0'.
func (l *changedLine) hash() {
	s := l.content
	exact, loose, digits := uint64(fnvOffset), uint64(fnvOffset), uint64(fnvOffset)
	inDigits, versioned := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		exact = (exact ^ uint64(c)) * fnvPrime
		if c == ' ' || c == '\t' || c == '\r' {
			continue
		}
		loose = (loose ^ uint64(c)) * fnvPrime
		if isDigit(c) {
			if !inDigits {
				digits = (digits ^ '0') * fnvPrime
			}
			inDigits = true
			continue
		}
		if c == '.' && inDigits && i+1 < len(s) && isDigit(s[i+1]) {
			versioned = true
		}
		inDigits = false
		digits = (digits ^ uint64(c)) * fnvPrime
	}
	l.keys, l.versioned = [3]uint64{exact, loose, digits}, versioned
}

// pairMode is how flush compares a removed with an added line.
type pairMode uint8

const (
	pairExact      pairMode = iota // identical: moved or reordered
	pairWhitespace                 // equal without whitespace: reformatted
	pairVersion                    // equal without whitespace and digit runs, holding a dotted version
)

// flush pairs the removed and added lines of the file just read, in three
// rounds (pairMode order); each line pairs at most once.
func (a *diffAnalyzer) flush() {
	if len(a.removed) > 0 && len(a.added) > 0 {
		for i := range a.removed {
			a.removed[i].hash()
		}
		for i := range a.added {
			a.added[i].hash()
		}
	}
	a.pair(pairExact, &a.moved)
	a.pair(pairWhitespace, &a.whitespace)
	a.pair(pairVersion, &a.version)
	a.removed, a.added = a.removed[:0], a.added[:0]
}

// pair pairs the unpaired removed and added lines by their key in mode,
// adding 2 to counter per pair, and leaves the still unpaired lines. Both
// sides are sorted by key and walked together, so that pairing costs
// O(n log n) whatever the lines. Lines with equal keys in one mode have equal
// keys in the later modes too, so which of them pair does not change the result.
func (a *diffAnalyzer) pair(mode pairMode, counter *int) {
	if len(a.removed) == 0 || len(a.added) == 0 {
		return
	}
	a.removedOrder = sortedByKey(a.removed, mode, a.removedOrder)
	a.addedOrder = sortedByKey(a.added, mode, a.addedOrder)
	for i, j := 0, 0; i < len(a.removedOrder) && j < len(a.addedOrder); {
		r, ad := &a.removed[a.removedOrder[i]], &a.added[a.addedOrder[j]]
		switch {
		case r.keys[mode] < ad.keys[mode]:
			i++
		case r.keys[mode] > ad.keys[mode]:
			j++
		default:
			r.paired, ad.paired = true, true
			*counter += 2
			i++
			j++
		}
	}
	a.removed = dropPaired(a.removed)
	a.added = dropPaired(a.added)
}

// sortedByKey returns, in order (reusing buf), the indexes of the lines that
// take part in mode, sorted by their key.
func sortedByKey(lines []changedLine, mode pairMode, buf []int) []int {
	buf = buf[:0]
	for i, l := range lines {
		if mode != pairVersion || l.versioned {
			buf = append(buf, i)
		}
	}
	slices.SortFunc(buf, func(x, y int) int { return cmp.Compare(lines[x].keys[mode], lines[y].keys[mode]) })
	return buf
}

// dropPaired removes the paired lines, in place.
func dropPaired(lines []changedLine) []changedLine {
	return slices.DeleteFunc(lines, func(l changedLine) bool { return l.paired })
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// diffGitPaths returns the old and new path of a "diff --git a/X b/Y" line.
func diffGitPaths(line string) (oldPath, newPath string) {
	rest := strings.TrimPrefix(line, "diff --git ")
	// Both paths are usually equal: "a/P b/P" splits in the middle.
	if n := len(rest); n%2 == 1 {
		half := n / 2
		if rest[half] == ' ' && strings.HasPrefix(rest, "a/") && strings.HasPrefix(rest[half+1:], "b/") && rest[2:half] == rest[half+3:] {
			return rest[2:half], rest[2:half]
		}
	}
	if i := strings.Index(rest, " b/"); i >= 0 {
		return strings.TrimPrefix(rest[:i], "a/"), rest[i+3:]
	}
	return rest, rest
}

// hunkExcerpt reduces "@@ -1,2 +1,3 @@ func f()" to "@@ func f()": line
// numbers say nothing about the change type.
func hunkExcerpt(line string) string {
	if i := strings.Index(line[2:], "@@"); i >= 0 {
		if ctx := strings.TrimSpace(line[2+i+2:]); ctx != "" {
			return "@@ " + ctx
		}
	}
	return "@@"
}
