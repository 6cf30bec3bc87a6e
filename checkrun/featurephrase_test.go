package checkrun

import (
	"go/ast"
	"go/parser"
	"go/token"
	"slices"
	"strings"
	"testing"

	"github.com/commit-labeler/commit-labeler/classify"
)

// phraseCommit is a pull request with a little of everything: tests,
// source, documentation renamed as is, a file without extension, and a diff
// with comments, whitespace, version and blank lines.
var phraseCommit = classify.Commit{
	Subject:     "Fix flaky parser tests on v2",
	Body:        "The parser tests timed out on slow machines.",
	AuthorIsBot: true,
	Files: []classify.File{
		{Path: "Makefile", Status: "M", Additions: 1, Deletions: 1},
		{Path: "docs/Parser.md", OldPath: "docs/parser.md", Status: "R"},
		{Path: "parser/lex_test.go", Status: "A", Additions: 20},
		{Path: "parser/parse.go", Status: "M", Additions: 4, Deletions: 4},
		{Path: "parser/parse_test.go", Status: "M", Additions: 8, Deletions: 2},
		{Path: "parser/testdata/big_test.go", Status: "M", Additions: 1, Deletions: 1},
	},
	FilesChanged: 6, Additions: 34, Deletions: 8,
	Diff: "diff --git a/parser/parse.go b/parser/parse.go\n--- a/parser/parse.go\n+++ b/parser/parse.go\n@@ -1,5 +1,5 @@\n" +
		"-// Parse reads it.\n+// Parse reads the input.\n-\ttimeout := 5\n+\ttimeout  :=  5\n" +
		"-const version = \"1.2.3\"\n+const version = \"1.2.4\"\n-\tp.next()\n+\n",
}

// phraseCases say one token of every name classify/tokennames.go declares
// (constant) as the line a maintainer reads about phraseCommit.
var phraseCases = []struct{ constant, token, want string }{
	{"TokenSubjectFirst", classify.TokenSubjectFirst + "fix", "the title starts with “fix”"},
	{"TokenSubjectWord", classify.TokenSubjectWord + "test", "title words: tests"}, // normalised
	{"TokenSubjectWord", classify.TokenSubjectWord + "<ver>", "title words: v2"},
	{"TokenSubjectPair", classify.TokenSubjectPair + "parser_test", "title word pairs: “parser tests”"},
	{"TokenSubjectChars", classify.TokenSubjectChars + "<fla", "title letters: fla (flaky)"},
	{"TokenBodyWord", classify.TokenBodyWord + "machin", "description words: machines"},
	{"TokenCategory", classify.TokenCategory + "source", "1 of 6 changed files is source code: parser/parse.go"},
	{"TokenExtension", classify.TokenExtension + "md", "changed .md files: docs/Parser.md"},
	{"TokenExtension", classify.TokenExtension, "changed files without an extension: Makefile"},
	{"TokenTopDir", classify.TokenTopDir + "docs", "changed files under docs/: docs/Parser.md"},
	{"TokenTopDir", classify.TokenTopDir + ".", "changed files at the repository root: Makefile"},
	{"TokenBase", classify.TokenBase + "parser.md", "changed file names: Parser.md"},
	{"TokenStatus", classify.TokenStatus + "M", `modified files: Makefile, parser/parse.go, parser/parse\_test.go, …`},
	{"TokenStatus", classify.TokenStatus + "A", `added files: parser/lex\_test.go`},
	{"TokenPathWord", classify.TokenPathWord + "testdata", "words in changed paths: testdata"},
	{"TokenCategoryFiles", classify.TokenCategoryFiles + "test:mid",
		`3 of 6 changed files are tests: parser/lex\_test.go, parser/parse\_test.go, parser/testdata/big\_test.go`},
	{"TokenCategoryFiles", classify.TokenCategoryFiles + "docs:low", "1 of 6 changed files is documentation: docs/Parser.md"},
	{"TokenCategoryLines", classify.TokenCategoryLines + "test:high", "32 of 42 changed lines are in test files"},
	{"TokenCategoryLines", classify.TokenCategoryLines + "docs:0", "no changed line is in documentation files"},
	{"TokenLines", classify.TokenLines + "21-50", "a medium-sized change (42 lines)"},
	{"TokenFiles", classify.TokenFiles + "6-10", "6 changed files"},
	{"TokenAdditions", classify.TokenAdditions + "high", "mostly additions (34 added, 8 removed)"},
	{"TokenBlank", classify.TokenBlank + "low", "1 of 8 changed lines of the diff is blank"},
	{"TokenComment", classify.TokenComment + "mid", "2 of 8 changed lines of the diff are comments"},
	{"TokenWhitespace", classify.TokenWhitespace + "mid", "2 of 8 changed lines of the diff are whitespace-only changes"},
	{"TokenMoved", classify.TokenMoved + "0", "no changed line of the diff is moved as is"},
	{"TokenVersion", classify.TokenVersion + "mid", "2 of 8 changed lines of the diff are version number changes"},
	{"TokenDiffAdded", classify.TokenDiffAdded + "input", "words on added lines: input"},
	{"TokenDiffRemoved", classify.TokenDiffRemoved + "next", "words on removed lines: next"},
	{"TokenSubjectEmpty", classify.TokenSubjectEmpty, "the title has no words besides a type prefix"},
	{"TokenSubjectHeader", classify.TokenSubjectHeader, "the title quotes a Conventional Commits header, as reverts do"},
	{"TokenAuthorBot", classify.TokenAuthorBot, "the author is a bot"},
	{"TokenRenameOnly", classify.TokenRenameOnly, "files renamed or copied without changes: docs/Parser.md"},
}

func TestFeaturePhrases(t *testing.T) {
	f := classify.BuildFeatures(phraseCommit)
	for _, tc := range phraseCases {
		if got := reasonLines([]classify.Reason{{Feature: tc.token, Contribution: 1}}, &f); !slices.Equal(got, []string{tc.want}) {
			t.Errorf("%s (%s) reads %q, want %q", tc.token, tc.constant, got, tc.want)
		}
	}
}

// TestEveryTokenHasAPhrase: whatever the feature builder can emit reads
// as words, so that a new token namespace cannot reach maintainers raw.
// The builder names tokens by classify's exported constants alone; each
// constant has a case above; and the tokens of varied pull requests,
// under every token option, all have phrases.
func TestEveryTokenHasAPhrase(t *testing.T) {
	fset := token.NewFileSet()
	names, err := parser.ParseFile(fset, "../classify/tokennames.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	cased := make(map[string]bool)
	for _, tc := range phraseCases {
		cased[tc.constant] = true
	}
	declared := 0
	for _, decl := range names.Decls {
		if g, ok := decl.(*ast.GenDecl); ok && g.Tok == token.CONST {
			for _, spec := range g.Specs {
				for _, id := range spec.(*ast.ValueSpec).Names {
					declared++
					if !cased[id.Name] {
						t.Errorf("classify.%s has no phrase case: add one to phraseCases (and a phraser)", id.Name)
					}
				}
			}
		}
	}
	if declared == 0 {
		t.Fatal("classify/tokennames.go declares no token names")
	}

	// The builder writes no token name of its own: each begins with a constant.
	builder, err := parser.ParseFile(fset, "../classify/tokens.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	adds := 0
	ast.Inspect(builder, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || len(call.Args) == 0 {
			return true
		}
		if sel, ok := call.Fun.(*ast.SelectorExpr); !ok || sel.Sel.Name != "add" {
			return true
		}
		adds++
		first := call.Args[0]
		for {
			bin, ok := first.(*ast.BinaryExpr)
			if !ok {
				break
			}
			first = bin.X
		}
		if _, literal := first.(*ast.BasicLit); literal {
			t.Errorf("%s: a token name begins with a literal: name it by a constant in classify/tokennames.go", fset.Position(call.Pos()))
		}
		return true
	})
	if adds == 0 {
		t.Fatal("no tokenBuilder.add call found in classify/tokens.go")
	}

	emitted := make(map[string]bool)
	commits := []classify.Commit{
		phraseCommit,
		{Subject: ""}, // TokenSubjectEmpty
		{Subject: `Revert "feat: add the parser"`}, // TokenSubjectHeader
		{Subject: "Update the README", Files: []classify.File{{Path: "README.md", Status: "M", Additions: 1, Deletions: 1}},
			FilesChanged: 1, Additions: 1, Deletions: 1},
	}
	for _, normalise := range []bool{false, true} {
		cfg := classify.TokenConfig{SubjectChars: true, BodyWords: 100, DiffWords: 100, NormaliseWords: normalise}
		for _, c := range commits {
			f := classify.BuildFeatures(c)
			for _, tk := range classify.Tokens(&f, cfg) {
				key, _ := phraserKey(tk.Name)
				emitted[key] = true
				if p, ok := featurePhrase(tk.Name, &f); !ok || p.text == "" {
					t.Errorf("token %q of %q has no phrase: %+v", tk.Name, c.Subject, p)
				}
			}
		}
	}
	for _, tc := range phraseCases {
		if key, _ := phraserKey(tc.token); !emitted[key] {
			t.Errorf("no test input emits %s (%s): extend the inputs so every token is built", key, tc.constant)
		}
	}
}

func TestEveryCategoryHasANoun(t *testing.T) {
	for _, cat := range classify.Categories {
		if _, ok := categoryNouns[cat]; !ok {
			t.Errorf("category %q has no noun in categoryNouns", cat)
		}
	}
}

func TestReasonLinesGatherWordsAndDropRepeats(t *testing.T) {
	f := classify.BuildFeatures(classify.Commit{
		Subject: "Update the README", Files: []classify.File{{Path: "README.md", Status: "M", Additions: 1, Deletions: 1}},
		FilesChanged: 1, Additions: 1, Deletions: 1,
	})
	reasons := []classify.Reason{
		{Feature: "s:updat"}, {Feature: "cs:docs:all"}, {Feature: "s:readm"}, {Feature: "cat:docs"},
		{Feature: "s:updat"}, {Feature: "future:x"}, {Feature: "s:"}, {Feature: "cs:future:all"}, {Feature: "lines:2-5"},
	}
	want := []string{
		"title words: update, readme",
		"all 1 changed file is documentation: README.md", // cs: and cat: say the same
		"`future:x`",      // unknown: raw, not dropped
		"`s:`",            // no word: raw, never empty
		"`cs:future:all`", // unknown category: raw
		"a small change (2 lines)",
	}
	if got := reasonLines(reasons, &f); !slices.Equal(got, want) {
		t.Errorf("lines\n%q\nwant\n%q", got, want)
	}
}

func TestScoreChart(t *testing.T) {
	scores := []classify.LabelScore{
		{Label: "chore", Probability: 0.07}, {Label: "docs", Probability: 0.70}, {Label: "other", Probability: 0.12},
		{Label: "fix", Probability: 0.04}, {Label: "style", Probability: 0.03}, {Label: "feat", Probability: 0.02},
		{Label: "perf", Probability: 0.005}, {Label: "ci", Probability: 0.005},
	}
	want := "| Label | Probability | |\n|---|---|--:|\n" +
		"| docs | ██████████████ | 70% |\n" +
		"| other | ██▍ | 12% |\n" +
		"| chore | █▍ | 7% |\n" +
		"| fix | ▊ | 4% |\n" +
		"| style | ▋ | 3% |\n" +
		"\n3 other labels: 3% together.\n"
	if got := scoreChart(scores); got != want {
		t.Errorf("chart\n%s\nwant\n%s", got, want)
	}
	if got := scoreChart(scores[:2]); strings.Contains(got, "other label") {
		t.Errorf("two labels above 1%%, both charted:\n%s", got)
	}
	// A label under 1% is summed even among the top five, and not as 0%.
	if got := scoreChart([]classify.LabelScore{{Label: "docs", Probability: 0.995}, {Label: "fix", Probability: 0.005}}); !strings.HasSuffix(got, "|\n\n1 other label: under 1% together.\n") {
		t.Errorf("a label under 1%%:\n%s", got)
	}
	for _, tc := range []struct {
		p    float64
		want string
	}{{1, strings.Repeat("█", 20)}, {0.5, strings.Repeat("█", 10)}, {0.03, "▋"}, {0.0001, "▏"}, {0, ""}} {
		if got := bar(tc.p); got != tc.want {
			t.Errorf("bar(%v) = %q, want %q", tc.p, got, tc.want)
		}
	}
}

// TestReasonLinesLeaveOutStopwords: the model may weigh "when" and "is";
// a maintainer reads the words that say something about the change.
func TestReasonLinesLeaveOutStopwords(t *testing.T) {
	f := classify.BuildFeatures(classify.Commit{
		Subject: "When the parser is empty it crashes", Body: "It is broken for all of us",
		Files: []classify.File{{Path: "the/parser.go", Status: "M", Additions: 1, Deletions: 1}}, FilesChanged: 1, Additions: 1, Deletions: 1,
	})
	s := func(w string) classify.Reason { return classify.Reason{Feature: classify.TokenSubjectWord + w} }
	for _, tc := range []struct {
		name    string
		reasons []classify.Reason
		want    []string
	}{
		{"title words", []classify.Reason{s("crash"), s("when"), s("is"), s("parser")}, []string{"title words: crashes, parser"}},
		{"normalised title words", []classify.Reason{s(classify.NormalWord("crashes")), s(classify.NormalWord("is"))}, []string{"title words: crashes"}},
		{"first word", []classify.Reason{{Feature: classify.TokenSubjectFirst + "when"}, s("empty")}, []string{"title words: empty"}},
		{"pairs of stopwords", []classify.Reason{{Feature: classify.TokenSubjectPair + "is_empty"}, {Feature: classify.TokenSubjectPair + "it_crash"}, {Feature: classify.TokenSubjectPair + "parser_is"}},
			[]string{"title word pairs: “is empty”, “it crashes”, “parser is”"}},
		{"a pair of stopwords alone", []classify.Reason{{Feature: classify.TokenSubjectPair + "when_the"}}, nil},
		{"description words", []classify.Reason{{Feature: classify.TokenBodyWord + "it"}, {Feature: classify.TokenBodyWord + "broken"}, {Feature: classify.TokenBodyWord + "us"}},
			[]string{"description words: broken"}},
		{"diff and path words", []classify.Reason{{Feature: classify.TokenDiffAdded + "the"}, {Feature: classify.TokenDiffRemoved + "return"}, {Feature: classify.TokenPathWord + "the"}},
			[]string{"words on removed lines: return"}},
		{"other features stay", []classify.Reason{s("when"), {Feature: classify.TokenCategory + "source"}}, []string{"all 1 changed file is source code: the/parser.go"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := reasonLines(tc.reasons, &f); !slices.Equal(got, tc.want) {
				t.Errorf("lines %q, want %q", got, tc.want)
			}
		})
	}
}
