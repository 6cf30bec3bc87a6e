package classify

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
)

// samplePath is the 300-record corpus sample (DATA.md); benchmarks use it
// when it is there.
const samplePath = "../../shared/data/commits-sample.jsonl"

// BenchmarkBuildFeatures measures one BuildFeatures call: on a synthetic
// large commit (100 files, a full 4000-character diff, a long body) and, when
// the corpus sample is present, averaged over its records.
func BenchmarkBuildFeatures(b *testing.B) {
	b.Run("synthetic-large", func(b *testing.B) {
		c := syntheticCommit()
		b.ReportAllocs()
		for b.Loop() {
			BuildFeatures(c)
		}
	})
	b.Run("sample", func(b *testing.B) {
		commits := loadSample(b)
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			BuildFeatures(commits[i%len(commits)])
			i++
		}
	})
}

// syntheticCommit is a commit at the limits the pipeline keeps.
func syntheticCommit() Commit {
	c := Commit{Subject: "feat(core): add a thing", FilesChanged: 140, Additions: 2500, Deletions: 900}
	var body strings.Builder
	for i := range 40 {
		fmt.Fprintf(&body, "* fix(part%d): adjust the handling of case %d in the parser\n", i, i)
	}
	c.Body = body.String()
	for i := range 100 {
		c.Files = append(c.Files, File{Path: fmt.Sprintf("packages/mod%d/src/lib/file_%d.ts", i%7, i), Status: "M", Additions: 25, Deletions: 9})
	}
	var diff strings.Builder
	for i := 0; diff.Len() < DiffLimit; i++ {
		fmt.Fprintf(&diff, "diff --git a/src/f%d.go b/src/f%d.go\n--- a/src/f%d.go\n+++ b/src/f%d.go\n@@ -1,6 +1,6 @@ func f%d() {\n", i, i, i, i, i)
		diff.WriteString(" \tctx := context.Background()\n-\tx := compute(a, b)\n+\tx := compute(a, b, c)\n-\t// old comment\n+\t\treturn  x\n \treturn nil\n")
	}
	c.Diff = TruncateDiff(diff.String(), DiffLimit)
	return c
}

// loadSample reads the corpus sample into commits, skipping when absent.
func loadSample(tb testing.TB) []Commit {
	f, err := os.Open(samplePath)
	if os.IsNotExist(err) {
		tb.Skip("../shared/data absent: no corpus sample to measure on")
	}
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var commits []Commit
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		var r struct {
			Subject      string `json:"subject"`
			Body         string `json:"body"`
			Diff         string `json:"diff"`
			Files        []File `json:"files"`
			FilesChanged int    `json:"files_changed"`
			Additions    int    `json:"additions"`
			Deletions    int    `json:"deletions"`
			AuthorIsBot  bool   `json:"author_is_bot"`
		}
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			tb.Fatal(err)
		}
		commits = append(commits, Commit{Subject: r.Subject, Body: r.Body, Diff: r.Diff, Files: r.Files,
			FilesChanged: r.FilesChanged, Additions: r.Additions, Deletions: r.Deletions, AuthorIsBot: r.AuthorIsBot})
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return commits
}
