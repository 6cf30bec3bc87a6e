package classify

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestMaskBody(t *testing.T) {
	tests := []struct {
		name, body, want string
		dropped          int
	}{
		{"plain", "Explain why.\n\nMore text.", "Explain why.\n\nMore text.", 0},
		{"squash list", "* feat: add x\n\n* fix(ui): y\n\nKeep this line.", "Keep this line.", 2},
		{"dash and plus markers", "- docs: a\n+ test!: b\nbody", "body", 2},
		{"revert line", "Revert \"feat: x\"\nThis reverts commit abc.", "This reverts commit abc.", 1},
		{"unknown types stay", "Note: careful\nRelated: https://x.test/1\nBREAKING CHANGE: y", "Note: careful\nRelated: https://x.test/1\nBREAKING CHANGE: y", 0},
		{"case-insensitive type", "Fix: typo\nok", "ok", 1},
		{"no space after colon stays", "feat:x", "feat:x", 0},
		{"trailers and e-mail cleaned", "Text by a@b.example\n\nSigned-off-by: A <a@b.example>", "Text by <email>", 0},
		{"blank runs collapsed after dropping", "a\n\n* chore: x\n\nb", "a\n\nb", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, dropped := maskBody(tt.body)
			if got != tt.want || dropped != tt.dropped {
				t.Errorf("maskBody(%q) = %q, %d; want %q, %d", tt.body, got, dropped, tt.want, tt.dropped)
			}
		})
	}
}

func TestSizeBucket(t *testing.T) {
	tests := []struct {
		n           int
		lines, file string
	}{
		{0, "0", "0"}, {1, "1", "1"}, {2, "2-5", "2"}, {5, "2-5", "3-5"}, {6, "6-20", "6-10"},
		{50, "21-50", "31-100"}, {200, "51-200", "101+"}, {1000, "201-1000", "101+"}, {1001, "1001+", "101+"},
	}
	for _, tt := range tests {
		if got := sizeBucket(tt.n, lineBuckets); got != tt.lines {
			t.Errorf("lines bucket of %d = %q, want %q", tt.n, got, tt.lines)
		}
		if got := sizeBucket(tt.n, fileBuckets); got != tt.file {
			t.Errorf("files bucket of %d = %q, want %q", tt.n, got, tt.file)
		}
	}
}

// depBump is a hand-written dependency bump touching a manifest and a lock file.
var depBump = Commit{
	Subject:      "chore(deps): bump golang.org/x/net from 0.29.0 to 0.30.0",
	Body:         "Bumps golang.org/x/net.\n\n* chore: keep going\n\nSigned-off-by: dependabot[bot] <support@github.com>",
	AuthorIsBot:  true,
	FilesChanged: 2,
	Additions:    3,
	Deletions:    3,
	Files: []File{
		{Path: "go.mod", Status: "M", Additions: 1, Deletions: 1},
		{Path: "go.sum", Status: "M", Additions: 2, Deletions: 2},
	},
	Diff: `diff --git a/go.mod b/go.mod
--- a/go.mod
+++ b/go.mod
@@ -5,3 +5,3 @@ require (
 	golang.org/x/crypto v0.28.0
-	golang.org/x/net v0.29.0
+	golang.org/x/net v0.30.0
 )
diff --git a/go.sum b/go.sum
--- a/go.sum
+++ b/go.sum
@@ -10,4 +10,4 @@
-golang.org/x/net v0.29.0 h1:AAAA=
-golang.org/x/net v0.29.0/go.mod h1:BBBB=
+golang.org/x/net v0.30.0 h1:CCCC=
+golang.org/x/net v0.30.0/go.mod h1:DDDD=`,
}

func TestBuildFeaturesDependencyBump(t *testing.T) {
	f := BuildFeatures(depBump)
	if f.Version != FeaturesVersion || f.Subject != "bump golang.org/x/net from 0.29.0 to 0.30.0" {
		t.Errorf("version/subject = %d %q", f.Version, f.Subject)
	}
	if f.Body != "Bumps golang.org/x/net." || f.BodyHeaderLines != 1 {
		t.Errorf("body = %q (%d dropped)", f.Body, f.BodyHeaderLines)
	}
	if !f.AuthorIsBot || f.LinesChanged != 6 || f.LinesBucket != "6-20" || f.FilesBucket != "2" || f.AdditionShare != 0.5 {
		t.Errorf("sizes = %+v", f)
	}
	wantFiles := []FileFeatures{
		{Path: "go.mod", Category: CategoryBuild, Status: "M", Additions: 1, Deletions: 1},
		{Path: "go.sum", Category: CategoryLock, Status: "M", Additions: 2, Deletions: 2},
	}
	if !reflect.DeepEqual(f.Files, wantFiles) {
		t.Errorf("files = %+v", f.Files)
	}
	if !reflect.DeepEqual(f.Extensions, map[string]int{"mod": 1, "sum": 1}) || !reflect.DeepEqual(f.TopDirs, map[string]int{".": 2}) {
		t.Errorf("extensions %v top dirs %v", f.Extensions, f.TopDirs)
	}
	if len(f.Categories) != 2 {
		t.Errorf("categories %v: want build and lock only", f.Categories)
	}
	if got := f.Categories[CategoryLock]; got != (CategoryStats{Files: 1, Lines: 4, FileShare: 0.5, LineShare: 0.6667}) {
		t.Errorf("lock stats = %+v", got)
	}
	if f.Status != (StatusCounts{Modified: 2}) {
		t.Errorf("status = %+v", f.Status)
	}
	// The go.mod pair differs only in the version; the go.sum pairs differ
	// in their hashes too.
	wantDiff := DiffStats{Files: 2, Hunks: 2, AddedLines: 3, RemovedLines: 3, Coverage: 1, VersionShare: 0.3333}
	if f.DiffStats != wantDiff {
		t.Errorf("diff stats = %+v, want %+v", f.DiffStats, wantDiff)
	}
	wantExcerpt := "file go.mod\n@@ require (\n \tgolang.org/x/crypto v0.28.0\n-\tgolang.org/x/net v0.29.0\n+\tgolang.org/x/net v0.30.0\n )\n" +
		"file go.sum\n@@\n-golang.org/x/net v0.29.0 h1:AAAA=\n-golang.org/x/net v0.29.0/go.mod h1:BBBB=\n" +
		"+golang.org/x/net v0.30.0 h1:CCCC=\n+golang.org/x/net v0.30.0/go.mod h1:DDDD="
	if f.DiffExcerpt != wantExcerpt {
		t.Errorf("excerpt =\n%s\nwant\n%s", f.DiffExcerpt, wantExcerpt)
	}
}

func TestAnalyzeDiff(t *testing.T) {
	tests := []struct {
		name    string
		diff    string
		changed int
		want    DiffStats
		excerpt string
	}{
		{
			name:    "empty",
			want:    DiffStats{Coverage: 1},
			excerpt: "",
		},
		{
			name:    "reindent is whitespace",
			diff:    "diff --git a/x.go b/x.go\n--- a/x.go\n+++ b/x.go\n@@ -1,2 +1,2 @@ func f() {\n-\treturn  a+b\n+\t\treturn a + b\n }",
			want:    DiffStats{Files: 1, Hunks: 1, AddedLines: 1, RemovedLines: 1, Coverage: 1, WhitespaceShare: 1},
			excerpt: "file x.go\n@@ func f() {\n-\treturn  a+b\n+\t\treturn a + b\n }",
		},
		{
			name:    "moved lines, comments and blanks",
			diff:    "diff --git a/m.py b/m.py\n@@ -1,4 +1,4 @@\n-import b\n-# old note\n+\n import a\n+import b\n+# new note",
			want:    DiffStats{Files: 1, Hunks: 1, AddedLines: 3, RemovedLines: 2, Coverage: 1, BlankShare: 0.2, CommentShare: 0.4, MovedShare: 0.4},
			excerpt: "file m.py\n@@\n-import b\n-# old note\n+\n import a\n+import b\n+# new note",
		},
		{
			name:    "pairs stay inside a file",
			diff:    "diff --git a/a.rs b/a.rs\n@@ -1 +1 @@\n-let x = 1;\ndiff --git a/b.rs b/b.rs\n@@ -1 +1 @@\n+let x = 1;",
			changed: 8,
			want:    DiffStats{Files: 2, Hunks: 2, AddedLines: 1, RemovedLines: 1, Coverage: 0.25},
			excerpt: "file a.rs\n@@\n-let x = 1;\nfile b.rs\n@@\n+let x = 1;",
		},
		{
			name:    "numbers without a version are no bump",
			diff:    "diff --git a/c.ts b/c.ts\n@@ -1 +1 @@\n-const n = 10;\n+const n = 20;",
			want:    DiffStats{Files: 1, Hunks: 1, AddedLines: 1, RemovedLines: 1, Coverage: 1},
			excerpt: "file c.ts\n@@\n-const n = 10;\n+const n = 20;",
		},
		{
			name: "rename, binary and metadata",
			diff: "diff --git a/old.txt b/new.txt\nsimilarity index 100%\nrename from old.txt\nrename to new.txt\n" +
				"diff --git a/img.png b/img.png\nnew file mode 100644\nBinary files /dev/null and b/img.png differ\n" +
				"diff --git a/s.sql b/s.sql\n@@ -1 +1 @@\n--- drop it\n+-- keep it\n\\ No newline at end of file",
			want:    DiffStats{Files: 3, Hunks: 1, AddedLines: 1, RemovedLines: 1, Coverage: 1, CommentShare: 1},
			excerpt: "file old.txt -> new.txt\nfile img.png\nBinary files /dev/null and b/img.png differ\nfile s.sql\n@@\n--- drop it\n+-- keep it",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, excerpt := analyzeDiff(tt.diff, tt.changed)
			if got != tt.want {
				t.Errorf("stats = %+v\nwant    %+v", got, tt.want)
			}
			if excerpt != tt.excerpt {
				t.Errorf("excerpt = %q\nwant      %q", excerpt, tt.excerpt)
			}
		})
	}
}

func TestDiffExcerptLimit(t *testing.T) {
	var b strings.Builder
	b.WriteString("diff --git a/big.go b/big.go\n@@ -1,500 +1,500 @@\n")
	for range 500 {
		b.WriteString("+\tx := compute(a, b, c) // a long enough line of code\n")
	}
	f := BuildFeatures(Commit{Diff: b.String(), Additions: 500, FilesChanged: 1})
	if len(f.DiffExcerpt) > DiffExcerptLimit || len(f.DiffExcerpt) < DiffExcerptLimit-60 {
		t.Errorf("excerpt length %d, want just under %d", len(f.DiffExcerpt), DiffExcerptLimit)
	}
	if f.DiffStats.AddedLines != 500 {
		t.Errorf("stats read %d added lines, want all 500", f.DiffStats.AddedLines)
	}
}

func TestFeaturesJSONFieldNames(t *testing.T) {
	data, err := json.Marshal(BuildFeatures(depBump))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"version", "subject", "body", "body_header_lines", "author_is_bot", "files_changed",
		"additions", "deletions", "lines_changed", "lines_bucket", "files_bucket", "addition_share", "files",
		"status", "extensions", "top_dirs", "categories", "diff_stats", "diff_excerpt"} {
		if _, ok := doc[k]; !ok {
			t.Errorf("JSON field %q missing from %s", k, data)
		}
	}
	if len(doc) != 19 {
		t.Errorf("JSON has %d fields, want 19: a new field needs this test and maybe FeaturesVersion updated", len(doc))
	}
}

func FuzzBuildFeatures(f *testing.F) {
	f.Add(depBump.Subject, depBump.Body, depBump.Diff, "go.mod", "M", 1, 1)
	f.Add("Revert \"x\"", "* fix: y", "diff --git a/x b/x\n@@\n-", "", "R", 0, 0)
	f.Fuzz(func(t *testing.T, subject, body, diff, path, status string, add, del int) {
		c := Commit{Subject: subject, Body: body, Diff: diff, Additions: add, Deletions: del, FilesChanged: 1,
			Files: []File{{Path: path, Status: status, Additions: add, Deletions: del}}}
		a, b := BuildFeatures(c), BuildFeatures(c)
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("not deterministic: %+v vs %+v", a, b)
		}
		if len(a.DiffExcerpt) > DiffExcerptLimit {
			t.Fatalf("excerpt of %d bytes", len(a.DiffExcerpt))
		}
		if _, err := json.Marshal(a); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzHeaderType checks the fast header matcher against ParseHeader.
func FuzzHeaderType(f *testing.F) {
	for _, s := range []string{"feat(api)!: add", `Revert "x"`, "a: b", "", "feat(: x", "i18n: y", "fix: ", "x(a)(b): c", `Revert ""`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		line = strings.TrimSpace(line)
		if strings.ContainsAny(line, "\n\r") {
			return // body lines never hold line breaks
		}
		typ, ok := headerType(line)
		h, want := ParseHeader(line)
		if ok != want || (ok && !strings.EqualFold(typ, h.Type)) {
			t.Fatalf("headerType(%q) = %q, %v; ParseHeader = %+v, %v", line, typ, ok, h, want)
		}
	})
}

func TestCleanBodyFastPaths(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Text\nSigned-off-by: A <a@b.example>\nco-authored-by: B <b@c.example>", "Text"},
		{"Reviewed-on: https://x.test/1\nkeep", "keep"},
		{"X-Custom-Key: Name <n@x.example>\nkeep", "keep"},
		{"* fix(x): y\nnote: mail me at a@b.example", "* fix(x): y\nnote: mail me at <email>"},
		{"a\n\n\n\nb", "a\n\nb"},
	}
	for _, tt := range tests {
		if got := CleanBody(tt.in); got != tt.want {
			t.Errorf("CleanBody(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// cleanBodyReference is CleanBody as first written, with its regular
// expressions run over every line: the oracle for the fast paths.
func cleanBodyReference(body string) string {
	body = strings.ReplaceAll(body, "\r\n", "\n")
	var kept []string
	for _, l := range strings.Split(body, "\n") {
		t := strings.TrimSpace(l)
		if trailerPattern.MatchString(t) || addressTrailerPattern.MatchString(t) {
			continue
		}
		kept = append(kept, strings.TrimRight(l, " \t"))
	}
	out := emailPattern.ReplaceAllString(strings.Join(kept, "\n"), "<email>")
	out = blankRunPattern.ReplaceAllString(out, "\n\n")
	return truncateRunes(strings.TrimSpace(out), BodyLimit)
}

func FuzzCleanBody(f *testing.F) {
	for _, s := range []string{"a\nSigned-off-by: A <a@b.example>", "x@y.example\n\n\n\nz", "Key-1: N <n@m.example>", "a: b@c.de"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		if got, want := CleanBody(body), cleanBodyReference(body); got != want {
			t.Fatalf("CleanBody(%q) = %q, reference %q", body, got, want)
		}
	})
}
