package checkrun

import (
	"fmt"
	"math"
	"strings"

	"github.com/commit-labeler/commit-labeler/classify"
)

// reasonLines says in words what the features behind a model decision saw
// in the pull request f was built from: maintainers read "title words:
// update, readme", not "s:updat". Word features of one kind share a line;
// the lines keep the order of the reasons (strongest first), once each;
// stopwords are left out (isStopwordFeature).
func reasonLines(reasons []classify.Reason, f *classify.Features) []string {
	var lines []string
	kindAt := make(map[string]int)
	seen := make(map[string]bool)
	for _, r := range reasons {
		if isStopwordFeature(r.Feature, f) {
			continue
		}
		p, _ := featurePhrase(r.Feature, f)
		if p.kind == "" {
			if !seen[p.text] {
				seen[p.text] = true
				lines = append(lines, p.text)
			}
			continue
		}
		if seen[p.kind+"\x00"+p.text] {
			continue
		}
		seen[p.kind+"\x00"+p.text] = true
		if i, ok := kindAt[p.kind]; ok {
			lines[i] += ", " + p.text
			continue
		}
		kindAt[p.kind] = len(lines)
		lines = append(lines, p.kind+": "+p.text)
	}
	return lines
}

// phrase is what one feature says: a whole line (text alone), or one item
// (text) of the line its kind ("title words") gathers.
type phrase struct{ kind, text string }

// featurePhrase says a feature (a classify.Tokens name) in words; ok is
// false for a name no phraser knows or can say (an empty word, an unknown
// category), which is shown raw rather than dropped.
func featurePhrase(name string, f *classify.Features) (p phrase, ok bool) {
	key, value := phraserKey(name)
	say, ok := phrasers[key]
	if ok {
		p = say(value, f)
	}
	if !ok || p.text == "" {
		return phrase{text: "`" + strings.ReplaceAll(name, "`", "'") + "`"}, false
	}
	return p, true
}

// phraserKey splits a token name into its phrasers key and value: the
// whole name when it has a phraser of its own ("s:<empty>"), else its
// namespace ("cs:") and what follows.
func phraserKey(name string) (key, value string) {
	if _, whole := phrasers[name]; whole {
		return name, ""
	}
	if i := strings.IndexByte(name, ':'); i >= 0 {
		return name[:i+1], name[i+1:]
	}
	return name, ""
}

// phrasers say the features of each token namespace, or each token emitted
// whole, given the namespace's value and the features of the pull request.
var phrasers = map[string]func(value string, f *classify.Features) phrase{
	classify.TokenSubjectEmpty: func(string, *classify.Features) phrase {
		return phrase{text: "the title has no words besides a type prefix"}
	},
	classify.TokenSubjectHeader: func(string, *classify.Features) phrase {
		return phrase{text: "the title quotes a Conventional Commits header, as reverts do"}
	},
	classify.TokenSubjectFirst: func(v string, f *classify.Features) phrase {
		return phrase{text: "the title starts with “" + md(sourceWord(classify.Words(f.Subject), v)) + "”"}
	},
	classify.TokenSubjectWord: func(v string, f *classify.Features) phrase {
		return phrase{"title words", md(sourceWord(classify.Words(f.Subject), v))}
	},
	classify.TokenSubjectPair: func(v string, f *classify.Features) phrase {
		return phrase{"title word pairs", "“" + md(sourcePair(classify.Words(f.Subject), v)) + "”"}
	},
	classify.TokenSubjectChars: func(v string, f *classify.Features) phrase {
		return phrase{"title letters", md(sourceChars(classify.Words(f.Subject), v))}
	},
	classify.TokenBodyWord: func(v string, f *classify.Features) phrase {
		return phrase{"description words", md(sourceWord(classify.Words(f.Body), v))}
	},
	classify.TokenDiffAdded: func(v string, _ *classify.Features) phrase {
		return phrase{"words on added lines", md(v)}
	},
	classify.TokenDiffRemoved: func(v string, _ *classify.Features) phrase {
		return phrase{"words on removed lines", md(v)}
	},
	classify.TokenPathWord: func(v string, _ *classify.Features) phrase {
		return phrase{"words in changed paths", md(v)}
	},
	classify.TokenBase: func(v string, f *classify.Features) phrase {
		name := v
		if paths := pathsWhere(f, func(fl classify.FileFeatures) bool { return strings.EqualFold(baseName(fl.Path), v) }); len(paths) > 0 {
			name = baseName(paths[0])
		}
		return phrase{"changed file names", md(name)}
	},
	classify.TokenExtension: func(v string, f *classify.Features) phrase {
		what := "changed ." + md(v) + " files"
		if v == "" {
			what = "changed files without an extension"
		}
		return phrase{text: withFiles(what, pathsWhere(f, func(fl classify.FileFeatures) bool { return classify.FileExt(fl.Path) == v }))}
	},
	classify.TokenTopDir: func(v string, f *classify.Features) phrase {
		paths := pathsWhere(f, func(fl classify.FileFeatures) bool { return strings.EqualFold(classify.TopDir(fl.Path), v) })
		if v == "." {
			return phrase{text: withFiles("changed files at the repository root", paths)}
		}
		dir := v
		if len(paths) > 0 {
			dir = classify.TopDir(paths[0])
		}
		return phrase{text: withFiles("changed files under "+md(dir)+"/", paths)}
	},
	classify.TokenStatus: func(v string, f *classify.Features) phrase {
		what, ok := statusFiles[v]
		if !ok {
			what = "files with status " + md(v)
		}
		return phrase{text: withFiles(what, pathsWhere(f, func(fl classify.FileFeatures) bool { return fl.Status == v }))}
	},
	// A category's files and its share of the files say the same in words,
	// so that the line appears once when both are reasons.
	classify.TokenCategory: func(v string, f *classify.Features) phrase {
		return categoryFiles(classify.Category(v), f)
	},
	classify.TokenCategoryFiles: func(v string, f *classify.Features) phrase {
		return categoryFiles(shareCategory(v), f)
	},
	classify.TokenCategoryLines: func(v string, f *classify.Features) phrase {
		cat := shareCategory(v)
		n, ok := categoryNouns[cat]
		if !ok {
			return phrase{}
		}
		total := 0
		for _, fl := range f.Files {
			total += fl.Additions + fl.Deletions
		}
		in := "in " + n.files
		return phrase{text: countOf(f.Categories[cat].Lines, total, changedLine, noun{in, in})}
	},
	classify.TokenLines: func(_ string, f *classify.Features) phrase {
		return phrase{text: changeSize(f.LinesChanged)}
	},
	classify.TokenFiles: func(_ string, f *classify.Features) phrase {
		if f.FilesChanged == 0 {
			return phrase{text: "no changed files"}
		}
		return phrase{text: fmt.Sprintf("%d %s", f.FilesChanged, changedFile.of(f.FilesChanged))}
	},
	classify.TokenAdditions: func(_ string, f *classify.Features) phrase {
		return phrase{text: additions(f.Additions, f.Deletions)}
	},
	classify.TokenBlank: diffShare(func(d classify.DiffStats) float64 { return d.BlankShare }, noun{"blank", "blank"}),
	classify.TokenComment: diffShare(func(d classify.DiffStats) float64 { return d.CommentShare },
		noun{"a comment", "comments"}),
	classify.TokenWhitespace: diffShare(func(d classify.DiffStats) float64 { return d.WhitespaceShare },
		noun{"a whitespace-only change", "whitespace-only changes"}),
	classify.TokenMoved: diffShare(func(d classify.DiffStats) float64 { return d.MovedShare },
		noun{"moved as is", "moved as is"}),
	classify.TokenVersion: diffShare(func(d classify.DiffStats) float64 { return d.VersionShare },
		noun{"a version number change", "version number changes"}),
	classify.TokenAuthorBot: func(string, *classify.Features) phrase {
		return phrase{text: "the author is a bot"}
	},
	classify.TokenRenameOnly: func(_ string, f *classify.Features) phrase {
		return phrase{text: withFiles("files renamed or copied without changes", pathsWhere(f, func(fl classify.FileFeatures) bool {
			return (fl.Status == "R" || fl.Status == "C") && fl.Additions == 0 && fl.Deletions == 0
		}))}
	},
}

// noun is a phrase in the singular and the plural.
type noun struct{ one, many string }

func (n noun) of(count int) string {
	if count == 1 {
		return n.one
	}
	return n.many
}

var (
	changedFile = noun{"changed file", "changed files"}
	changedLine = noun{"changed line", "changed lines"}
	diffLine    = noun{"changed line of the diff", "changed lines of the diff"}
)

// countOf says that n of total units are pred: "all 1 changed file is
// documentation", "3 of 5 changed files are tests", "no changed line is a
// comment".
func countOf(n, total int, unit, pred noun) string {
	verb := noun{"is", "are"}
	switch {
	case n <= 0 || total <= 0:
		return "no " + unit.one + " is " + pred.one
	case n >= total:
		return fmt.Sprintf("all %d %s %s %s", total, unit.of(total), verb.of(total), pred.of(total))
	}
	return fmt.Sprintf("%d of %d %s %s %s", n, total, unit.many, verb.of(n), pred.of(n))
}

// categoryNoun says what a file of a category is: the predicate of "N
// changed files are …", and the files ("test files").
type categoryNoun struct {
	predicate noun
	files     string
}

// categoryNouns names every category of classify.Categories.
var categoryNouns = map[classify.Category]categoryNoun{
	classify.CategoryGenerated: {noun{"generated or vendored", "generated or vendored"}, "generated or vendored files"},
	classify.CategoryLock:      {noun{"a lock file", "lock files"}, "lock files"},
	classify.CategoryCI:        {noun{"CI configuration", "CI configuration"}, "CI files"},
	classify.CategoryLocale:    {noun{"a translation", "translations"}, "translation files"},
	classify.CategoryBench:     {noun{"a benchmark", "benchmarks"}, "benchmark files"},
	classify.CategoryTest:      {noun{"a test", "tests"}, "test files"},
	classify.CategoryBuild:     {noun{"a build file", "build files"}, "build files"},
	classify.CategoryChangelog: {noun{"a changelog", "changelogs"}, "changelog files"},
	classify.CategoryDocs:      {noun{"documentation", "documentation"}, "documentation files"},
	classify.CategoryAsset:     {noun{"an asset", "assets"}, "asset files"},
	classify.CategoryConfig:    {noun{"configuration", "configuration"}, "configuration files"},
	classify.CategorySource:    {noun{"source code", "source code"}, "source files"},
	classify.CategoryOther:     {noun{"of no known kind", "of no known kind"}, "files of no known kind"},
}

// categoryFiles says how many of the listed files are of a category, and
// which; nothing for a category without a noun, which then shows raw.
func categoryFiles(cat classify.Category, f *classify.Features) phrase {
	n, ok := categoryNouns[cat]
	if !ok {
		return phrase{}
	}
	paths := pathsWhere(f, func(fl classify.FileFeatures) bool { return fl.Category == cat })
	return phrase{text: withFiles(countOf(len(paths), len(f.Files), changedFile, n.predicate), paths)}
}

// shareCategory is the category of a "category:bucket" share value.
func shareCategory(v string) classify.Category {
	if i := strings.LastIndexByte(v, ':'); i >= 0 {
		v = v[:i]
	}
	return classify.Category(v)
}

// statusFiles names the files of each git status letter.
var statusFiles = map[string]string{
	"A": "added files", "M": "modified files", "D": "deleted files",
	"R": "renamed files", "C": "copied files", "T": "files whose type changed",
}

// changeSize says how large a change of n lines is; the bounds follow the
// line size classes the model reads (classify's lineBuckets).
func changeSize(n int) string {
	switch {
	case n <= 0:
		return "no changed lines"
	case n == 1:
		return "a one-line change"
	case n <= 20:
		return fmt.Sprintf("a small change (%d lines)", n)
	case n <= 200:
		return fmt.Sprintf("a medium-sized change (%d lines)", n)
	case n <= 1000:
		return fmt.Sprintf("a large change (%d lines)", n)
	}
	return fmt.Sprintf("a very large change (%d lines)", n)
}

// additions says how the changed lines split into additions and deletions.
func additions(added, removed int) string {
	counts := fmt.Sprintf("%d added, %d removed", added, removed)
	switch total := added + removed; {
	case total == 0:
		return "no added or removed lines"
	case removed == 0:
		return fmt.Sprintf("only additions (%d %s)", added, noun{"line", "lines"}.of(added))
	case added == 0:
		return fmt.Sprintf("only deletions (%d %s)", removed, noun{"line", "lines"}.of(removed))
	case 4*added >= 3*total:
		return "mostly additions (" + counts + ")"
	case 4*added < total:
		return "mostly deletions (" + counts + ")"
	}
	return "both additions and deletions (" + counts + ")"
}

// diffShare says what share of the diff's changed lines are of a kind.
// The diff text may be cut (DiffStats.Coverage), so the lines are counted
// as "of the diff", not to contradict the change's size.
func diffShare(share func(classify.DiffStats) float64, kind noun) func(string, *classify.Features) phrase {
	return func(_ string, f *classify.Features) phrase {
		d := f.DiffStats
		total := d.AddedLines + d.RemovedLines
		if total == 0 {
			return phrase{text: "the diff shows no changed lines"}
		}
		n := int(math.Round(share(d) * float64(total)))
		return phrase{text: countOf(n, total, diffLine, kind)}
	}
}

// pathsWhere returns the paths of the listed files that match.
func pathsWhere(f *classify.Features, match func(classify.FileFeatures) bool) []string {
	var out []string
	for _, fl := range f.Files {
		if match(fl) {
			out = append(out, fl.Path)
		}
	}
	return out
}

// withFiles follows what with the files it is about, up to three named.
func withFiles(what string, paths []string) string {
	if len(paths) == 0 {
		return what
	}
	named := make([]string, 0, 4)
	for _, p := range paths[:min(len(paths), 3)] {
		named = append(named, md(p))
	}
	if len(paths) > 3 {
		named = append(named, "…")
	}
	return what + ": " + strings.Join(named, ", ")
}

func baseName(path string) string { return path[strings.LastIndexByte(path, '/')+1:] }

// wordMatches reports whether a token word names the text word w: as
// written, or normalised as models with TokenConfig.NormaliseWords read it.
func wordMatches(w, token string) bool { return w == token || classify.NormalWord(w) == token }

// sourceWord returns the word of words a word token came from ("update"
// for "updat"), the token itself when none is found.
func sourceWord(words []string, token string) string {
	for _, w := range words {
		if wordMatches(w, token) {
			return w
		}
	}
	return token
}

// sourcePair returns the adjacent words a "first_second" pair token came
// from, separated by a space.
func sourcePair(words []string, token string) string {
	a, b, _ := strings.Cut(token, "_")
	for i := 1; i < len(words); i++ {
		if wordMatches(words[i-1], a) && wordMatches(words[i], b) {
			return words[i-1] + " " + words[i]
		}
	}
	return a + " " + b
}

// sourceChars says a character n-gram token ("<upd") with the word it is
// part of: "upd (update)".
func sourceChars(words []string, token string) string {
	chars := strings.Trim(token, "<>")
	for _, w := range words {
		if strings.Contains("<"+w+">", token) {
			if chars == w {
				return w
			}
			return chars + " (" + w + ")"
		}
	}
	return token
}

// mdEscaper escapes what Markdown would read as markup in paths and words.
var mdEscaper = strings.NewReplacer(`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`,
	"<", `\<`, ">", `\>`, "|", `\|`, "~", `\~`, "#", `\#`)

// md makes text from a pull request literal on one line of Markdown.
func md(s string) string { return mdEscaper.Replace(strings.Join(strings.Fields(s), " ")) }
