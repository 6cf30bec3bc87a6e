package gittest

import (
	"fmt"
	"testing"
	"time"
)

// ConventionalHistory makes a repository of n commits on main, an hour
// apart, with Conventional Commits subjects cycling through fixes,
// features, tests and documentation: documentation commits are typed
// docType, the repository's own convention (say "chore" where most
// projects write "docs"). retype gives some commits (by index) another
// type: the mistakes an audit should find.
func ConventionalHistory(t testing.TB, n int, docType string, retype map[int]string) *Repo {
	t.Helper()
	r := New(t)
	var s FastImport
	start := time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC)
	kinds := []struct{ typ, subject, path string }{
		{"fix", "handle an empty widget list in render %d", "src/widget%d.go"},
		{"feat", "add a widget export option %d", "src/export%d.go"},
		{"test", "cover widget parsing case %d", "src/widget%d_test.go"},
		{docType, "explain widget setup in the guide, part %d", "docs/guide%d.md"},
	}
	mark := 0
	for i := range n {
		k := kinds[i%len(kinds)]
		if typ, ok := retype[i]; ok {
			k.typ = typ
		}
		mark = s.Commit(ImportCommit{
			At: start.Add(time.Duration(i) * time.Hour), From: mark,
			Message: fmt.Sprintf("%s: "+k.subject, k.typ, i),
			Changes: []FileChange{{Path: fmt.Sprintf(k.path, i%7), Content: fmt.Sprintf("revision %d\nof %s\n", i, k.typ)}},
		})
	}
	s.Run(t, r.Dir)
	r.Git("reset", "--quiet", "--hard", "main")
	return r
}
