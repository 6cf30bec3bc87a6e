package classify

import (
	"math"
	"strconv"
	"strings"

	commitlabeler "github.com/commit-labeler/commit-labeler"
)

// FeaturesVersion is the version of the Features document. Bump it whenever
// BuildFeatures changes its output, so that the enrich phase rebuilds stored
// features and models are never fed features of another version.
const FeaturesVersion = 1

// Features is everything a model sees of a commit or pull request. It is
// built by BuildFeatures alone, for training (stored as JSON by the enrich
// phase) and serving (the bot) alike; JSON field names are stable within a
// FeaturesVersion. The raw subject and anything else that names the declared
// type never appear in it.
type Features struct {
	// Version is FeaturesVersion at build time.
	Version int `json:"version"`
	// Subject is the subject with its Conventional Commits header removed (MaskSubject).
	Subject string `json:"subject"`
	// Body is the cleaned body (CleanBody) without lines that are themselves
	// Conventional Commits headers, such as the "* feat: ..." lists of squash merges.
	Body string `json:"body"`
	// BodyHeaderLines counts the header lines dropped from the body.
	BodyHeaderLines int `json:"body_header_lines"`
	// AuthorIsBot is set for dependabot, renovate and other bot authors.
	AuthorIsBot bool `json:"author_is_bot"`

	// FilesChanged, Additions and Deletions are the commit's totals;
	// LinesChanged is Additions+Deletions.
	FilesChanged int `json:"files_changed"`
	Additions    int `json:"additions"`
	Deletions    int `json:"deletions"`
	LinesChanged int `json:"lines_changed"`
	// LinesBucket and FilesBucket are the size classes of LinesChanged and
	// FilesChanged ("0", "1", "2-5", ...; see sizeBucket).
	LinesBucket string `json:"lines_bucket"`
	FilesBucket string `json:"files_bucket"`
	// AdditionShare is Additions/LinesChanged (0 without changed lines).
	AdditionShare float64 `json:"addition_share"`

	// Files are the listed files (at most the first 100) with their category.
	Files []FileFeatures `json:"files"`
	// Status counts the listed files by status.
	Status StatusCounts `json:"status"`
	// Extensions counts the listed files by lower-case extension ("" for none).
	Extensions map[string]int `json:"extensions"`
	// TopDirs counts the listed files by first directory ("." for the root).
	TopDirs map[string]int `json:"top_dirs"`
	// Categories holds the categories of the listed files; a category
	// without files is absent (all its stats are zero).
	Categories map[Category]CategoryStats `json:"categories"`

	// DiffStats describes the changed lines of the diff text.
	DiffStats DiffStats `json:"diff_stats"`
	// DiffExcerpt is the diff text without metadata lines, at most
	// DiffExcerptLimit characters (see analyzeDiff).
	DiffExcerpt string `json:"diff_excerpt"`
}

// FileFeatures is one listed file (its extension is FileExt(Path)).
type FileFeatures struct {
	Path      string   `json:"path"`
	Category  Category `json:"category"`
	Status    string   `json:"status"`
	Additions int      `json:"additions"`
	Deletions int      `json:"deletions"`
	Binary    bool     `json:"binary,omitempty"`
}

// StatusCounts counts files by git status.
type StatusCounts struct {
	Added       int `json:"added"`
	Modified    int `json:"modified"`
	Deleted     int `json:"deleted"`
	Renamed     int `json:"renamed"`
	Copied      int `json:"copied"`
	TypeChanged int `json:"type_changed"`
	Binary      int `json:"binary"`
	// RenameOnly counts renamed or copied files without changed lines.
	RenameOnly int `json:"rename_only"`
}

// CategoryStats is what the listed files of one category amount to.
type CategoryStats struct {
	// Files and Lines (additions+deletions) of the category's files.
	Files int `json:"files"`
	Lines int `json:"lines"`
	// FileShare and LineShare are their shares of all listed files and of
	// the listed files' changed lines.
	FileShare float64 `json:"file_share"`
	LineShare float64 `json:"line_share"`
}

// BuildFeatures computes the features of a commit. It is deterministic and
// reads nothing but c.
func BuildFeatures(c Commit) Features {
	f := Features{
		Version:      FeaturesVersion,
		Subject:      MaskSubject(c.Subject),
		AuthorIsBot:  c.AuthorIsBot,
		FilesChanged: c.FilesChanged,
		Additions:    c.Additions,
		Deletions:    c.Deletions,
		LinesChanged: c.Additions + c.Deletions,
		Files:        make([]FileFeatures, len(c.Files)),
		Extensions:   make(map[string]int),
		TopDirs:      make(map[string]int),
		Categories:   make(map[Category]CategoryStats),
	}
	f.Body, f.BodyHeaderLines = maskBody(c.Body)
	f.LinesBucket = sizeBucket(f.LinesChanged, lineBuckets)
	f.FilesBucket = sizeBucket(f.FilesChanged, fileBuckets)
	f.AdditionShare = share(c.Additions, f.LinesChanged)

	perCategory := make([]CategoryStats, len(Categories))
	listedLines := 0
	for i, file := range c.Files {
		cat := CategorizePath(file.Path, file.Binary)
		ext := FileExt(file.Path)
		f.Files[i] = FileFeatures{Path: file.Path, Category: cat, Status: file.Status,
			Additions: file.Additions, Deletions: file.Deletions, Binary: file.Binary}
		f.Extensions[ext]++
		f.TopDirs[TopDir(file.Path)]++
		f.Status.add(file)
		lines := file.Additions + file.Deletions
		listedLines += lines
		s := &perCategory[categoryIndexes[cat]]
		s.Files++
		s.Lines += lines
	}
	for i, cat := range Categories {
		s := perCategory[i]
		if s.Files == 0 {
			continue
		}
		s.FileShare = share(s.Files, len(c.Files))
		s.LineShare = share(s.Lines, listedLines)
		f.Categories[cat] = s
	}
	f.DiffStats, f.DiffExcerpt = analyzeDiff(c.Diff, f.LinesChanged)
	return f
}

// categoryIndexes maps each category to its position in Categories.
var categoryIndexes = func() map[Category]int {
	m := make(map[Category]int, len(Categories))
	for i, c := range Categories {
		m[c] = i
	}
	return m
}()

func (s *StatusCounts) add(f File) {
	switch f.Status {
	case "A":
		s.Added++
	case "M":
		s.Modified++
	case "D":
		s.Deleted++
	case "R":
		s.Renamed++
	case "C":
		s.Copied++
	case "T":
		s.TypeChanged++
	}
	if f.Binary {
		s.Binary++
	}
	if (f.Status == "R" || f.Status == "C") && f.Additions == 0 && f.Deletions == 0 {
		s.RenameOnly++
	}
}

// Size class upper bounds: a value belongs to the first class whose bound it
// does not exceed, or to the open class after the last.
var (
	lineBuckets = newBuckets(0, 1, 5, 20, 50, 200, 1000)
	fileBuckets = newBuckets(0, 1, 2, 5, 10, 30, 100)
)

// buckets are ascending upper bounds with their precomputed names.
type buckets struct {
	bounds []int
	names  []string
}

func newBuckets(bounds ...int) buckets {
	b := buckets{bounds: bounds}
	lo := 0
	for _, hi := range bounds {
		if lo == hi {
			b.names = append(b.names, strconv.Itoa(hi))
		} else {
			b.names = append(b.names, strconv.Itoa(lo)+"-"+strconv.Itoa(hi))
		}
		lo = hi + 1
	}
	b.names = append(b.names, strconv.Itoa(lo)+"+")
	return b
}

// sizeBucket names the size class of n: for lines "0", "1", "2-5", "6-20",
// "21-50", "51-200", "201-1000", "1001+"; for files "0", "1", "2", "3-5",
// "6-10", "11-30", "31-100", "101+".
func sizeBucket(n int, b buckets) string {
	for i, hi := range b.bounds {
		if n <= hi {
			return b.names[i]
		}
	}
	return b.names[len(b.names)-1]
}

// share returns part/whole rounded to four decimals, 0 when whole is 0.
func share(part, whole int) float64 {
	if whole <= 0 {
		return 0
	}
	return math.Round(float64(part)/float64(whole)*1e4) / 1e4
}

// maskBody cleans a body and drops the lines that are Conventional Commits
// headers of a known type (squash-merge lists "* feat: x", "- fix(y): z",
// Revert "..."), which would give the label away; lines such as "Note: x"
// or "Related: url" stay. It returns the body and the number of lines dropped.
func maskBody(body string) (string, int) {
	body = CleanBody(body)
	if !strings.Contains(body, ": ") && !strings.Contains(body, "Revert \"") {
		return body, 0
	}
	v := commitlabeler.Default()
	var b strings.Builder
	dropped := 0
	for rest := body; rest != ""; {
		line := rest
		if i := strings.IndexByte(rest, '\n'); i >= 0 {
			line, rest = rest[:i+1], rest[i+1:]
		} else {
			rest = ""
		}
		if isHeaderLine(v, line) {
			dropped++
			continue
		}
		b.WriteString(line)
	}
	if dropped == 0 {
		return body, 0
	}
	out := blankRunPattern.ReplaceAllString(b.String(), "\n\n")
	return strings.TrimSpace(out), dropped
}

// isHeaderLine reports whether a body line, after an optional list marker,
// is a Conventional Commits header whose type maps to a label other than the
// fallback, or a Revert "..." subject.
func isHeaderLine(v *commitlabeler.Vocabulary, line string) bool {
	t := strings.TrimSpace(line)
	for _, marker := range []string{"* ", "- ", "+ ", "• "} {
		if strings.HasPrefix(t, marker) {
			t = strings.TrimSpace(t[len(marker):])
			break
		}
	}
	typ, ok := headerType(t)
	return ok && v.ForType(typ) != v.Fallback
}

// headerType returns the type of a trimmed line that ParseHeader would
// accept, without running its regular expressions: bodies have many lines
// and this runs for every commit.
func headerType(t string) (string, bool) {
	if strings.HasPrefix(t, `Revert "`) {
		return "revert", len(t) > len(`Revert ""`) && t[len(t)-1] == '"'
	}
	i := 0
	for i < len(t) && (isLetter(t[i]) || i > 0 && isDigit(t[i])) {
		i++
	}
	if i == 0 {
		return "", false
	}
	typ, rest := t[:i], t[i:]
	if strings.HasPrefix(rest, "(") {
		end := strings.IndexByte(rest, ')')
		if end < 0 {
			return "", false
		}
		rest = rest[end+1:]
	}
	rest = strings.TrimPrefix(rest, "!")
	if !strings.HasPrefix(rest, ": ") || strings.TrimSpace(rest[2:]) == "" {
		return "", false
	}
	return typ, true
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
