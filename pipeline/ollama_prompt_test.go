package pipeline

import (
	"fmt"
	"strings"
	"testing"

	"github.com/commit-labeler/commit-labeler/store"
)

func TestNewPromptItem(t *testing.T) {
	c := testCommit(0, "feat(cli)!: add --json flag")
	c.Body = strings.Repeat("word ", 200)
	c.FilesChanged = 130
	c.Files = nil
	for i := range 100 {
		c.Files = append(c.Files, store.File{Path: fmt.Sprintf("f%d.go", i), Status: "A", Additions: i})
	}
	c.Diff = strings.Repeat("+"+strings.Repeat("x", 99)+"\n", 40)
	item := newPromptItem("c1", &c)
	if !strings.HasPrefix(item.Message, "add --json flag\n\nword word") || strings.Contains(item.Message, "feat") {
		t.Errorf("message %q: want the masked subject then the body", item.Message[:40])
	}
	if n := len([]rune(item.Message)); n > len("add --json flag\n\n")+promptBodyLimit+1 {
		t.Errorf("message of %d characters: body not cut", n)
	}
	if len(item.Files) != promptFilesLimit || item.MoreFiles != 110 {
		t.Errorf("%d files and %d more, want %d and 110", len(item.Files), item.MoreFiles, promptFilesLimit)
	}
	if len(item.Diff) > promptDiffLimit || !strings.HasSuffix(item.Diff, "x") {
		t.Errorf("diff of %d characters, want at most %d cut at a line", len(item.Diff), promptDiffLimit)
	}
	text := renderItems([]promptItem{item})
	for _, want := range []string{"=== Commit c1 ===", "Files (130 changed, +3 -1):", "A f19.go +19 -0\n", "... and 110 more files", "Diff excerpt:\n+xxx"} {
		if !strings.Contains(text, want) {
			t.Errorf("prompt lacks %q:\n%s", want, text[:300])
		}
	}
	if strings.Contains(text, "f20.go") {
		t.Error("prompt lists more files than the limit")
	}
}
