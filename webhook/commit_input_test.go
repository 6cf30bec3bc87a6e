package webhook

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-github/v93/github"

	"github.com/commit-labeler/commit-labeler/classify"
)

func apiFile(name, status, patch string, add, del int) *github.CommitFile {
	f := &github.CommitFile{Filename: &name, Status: &status, Additions: &add, Deletions: &del, Changes: new(add + del)}
	if patch != "" {
		f.Patch = &patch
	}
	return f
}

func TestCommitInputDiffAsGitPrintsIt(t *testing.T) {
	renamed := apiFile("new/name.go", "renamed", "@@ -1 +1 @@\n-a\n+b", 1, 1)
	renamed.PreviousFilename = new("old/name.go")
	moved := apiFile("docs/moved.md", "renamed", "", 0, 0)
	moved.PreviousFilename = new("moved.md")
	c := commitInput("Fix things", "Body line.\n\nSigned-off-by: A <a@example.com>\n", []*github.CommitFile{
		apiFile("z.txt", "removed", "@@ -1 +0,0 @@\n-gone", 0, 1),
		renamed,
		moved,
		apiFile("img.png", "modified", "", 0, 0),
	})
	want := strings.Join([]string{
		"diff --git a/moved.md b/docs/moved.md",
		"rename from moved.md",
		"rename to docs/moved.md",
		"diff --git a/img.png b/img.png",
		"Binary files a/img.png and b/img.png differ",
		"diff --git a/old/name.go b/new/name.go",
		"rename from old/name.go",
		"rename to new/name.go",
		"--- a/old/name.go",
		"+++ b/new/name.go",
		"@@ -1 +1 @@",
		"-a",
		"+b",
		"diff --git a/z.txt b/z.txt",
		"deleted file mode 100644",
		"--- a/z.txt",
		"+++ /dev/null",
		"@@ -1 +0,0 @@",
		"-gone",
	}, "\n")
	if c.Diff != want {
		t.Errorf("diff =\n%s\nwant\n%s", c.Diff, want)
	}
	if c.Body != "Body line." {
		t.Errorf("body = %q, want the cleaned body", c.Body)
	}
	if c.FilesChanged != 4 || c.Additions != 1 || c.Deletions != 2 {
		t.Errorf("totals = %d files +%d -%d", c.FilesChanged, c.Additions, c.Deletions)
	}
	wantFiles := []classify.File{
		{Path: "docs/moved.md", OldPath: "moved.md", Status: "R"},
		{Path: "img.png", Status: "M", Binary: true},
		{Path: "new/name.go", OldPath: "old/name.go", Status: "R", Additions: 1, Deletions: 1},
		{Path: "z.txt", Status: "D", Deletions: 1},
	}
	for i, w := range wantFiles {
		if c.Files[i] != w {
			t.Errorf("file %d = %+v, want %+v", i, c.Files[i], w)
		}
	}
}

func TestCommitInputBounds(t *testing.T) {
	var files []*github.CommitFile
	for i := range 150 {
		files = append(files, apiFile(fmt.Sprintf("f%03d.go", i), "modified", "@@ -1 +1 @@\n-"+strings.Repeat("x", 2000)+"\n+y", 1, 1))
	}
	c := commitInput("s", "", files)
	if len(c.Files) != maxInputFiles || c.FilesChanged != 150 || c.Additions != 150 {
		t.Errorf("%d files listed of %d, +%d", len(c.Files), c.FilesChanged, c.Additions)
	}
	if n := utf8.RuneCountInString(c.Diff); n > classify.DiffLimit || !strings.Contains(c.Diff, " [...]") {
		t.Errorf("diff of %d characters, want at most %d with long lines shortened", n, classify.DiffLimit)
	}
}
