package store

import (
	"reflect"
	"testing"
)

func TestCommitWriterInsert(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e testEngine) {
		db := e.open(t)
		files := []File{
			{Path: "a.go", Status: "M", Additions: 1, Deletions: 2},
			{Path: "b.go", OldPath: "old/b.go", Status: "R"},
			{Path: "c.png", Status: "A", Binary: true},
		}
		commits := []Commit{
			{SHA: "aaaa", AuthoredAt: "2024-01-01T00:00:00Z", Subject: "one", Files: files},
			{SHA: "bbbb", AuthoredAt: "2024-01-02T00:00:00Z", Subject: "no files"},
			{SHA: "aaaa", AuthoredAt: "2024-01-03T00:00:00Z", Subject: "same sha again", Files: files[:1]},
			{SHA: "cccc", AuthoredAt: "2024-01-04T00:00:00Z", Subject: "one file", Files: files[:1]},
		}
		isNew := insertCommits(t, db, "acme/x", commits)
		if want := []bool{true, true, false, true}; !reflect.DeepEqual(isNew, want) {
			t.Errorf("new = %v, want %v", isNew, want)
		}
		got := storedCommits(t, db)
		if len(got) != 3 || got[0].Subject != "one" || got[0].ID != commits[0].ID || got[2].ID != commits[3].ID {
			t.Fatalf("stored %+v", got)
		}
		if !reflect.DeepEqual(got[0].Files, files) || got[1].Files != nil || !reflect.DeepEqual(got[2].Files, files[:1]) {
			t.Errorf("files = %+v / %+v / %+v", got[0].Files, got[1].Files, got[2].Files)
		}
	})
}
