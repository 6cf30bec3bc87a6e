package testkind

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"testing"

	"github.com/commit-labeler/commit-labeler/classify"
)

// Record is a corpus record in the format of docs/corpus.md (the fields the
// importer reads).
type Record struct {
	Repo         string   `json:"repo"`
	SHA          string   `json:"sha"`
	Date         string   `json:"date"`
	Subject      string   `json:"subject"`
	Body         string   `json:"body"`
	Labels       []string `json:"labels"`
	Files        []File   `json:"files"`
	FilesChanged int      `json:"files_changed"`
	Additions    int      `json:"additions"`
	Deletions    int      `json:"deletions"`
	Diff         string   `json:"diff"`
}

// File is one changed file of a Record.
type File struct {
	Path      string `json:"path"`
	Status    string `json:"status"`
	Additions int    `json:"additions"`
	Deletions int    `json:"deletions"`
}

// Labels are the labels of the synthetic corpus, in vocabulary order.
var Labels = []string{"feat", "fix", "docs", "test"}

// shape is what a label's commits look like.
var shapes = map[string]struct {
	verbs  []string
	path   string
	status string
}{
	"feat": {[]string{"add", "support", "introduce"}, "src/widget%d.go", "A"},
	"fix":  {[]string{"fix crash in", "handle nil", "correct off-by-one in"}, "src/widget%d.go", "M"},
	"docs": {[]string{"document", "explain", "describe"}, "docs/widget%d.md", "M"},
	"test": {[]string{"cover", "add tests for", "test"}, "src/widget%d_test.go", "M"},
}

// Corpus returns perRepo records for each of repos repositories
// (owner/repo0, owner/repo1, …), labels cycling through Labels. Every
// seventh record borrows another label's file, so models are not perfect.
func Corpus(repos, perRepo int) []Record {
	var out []Record
	for r := range repos {
		for i := range perRepo {
			n := r*perRepo + i
			label := Labels[n%len(Labels)]
			s := shapes[label]
			if i%7 == 6 {
				s.path = shapes[Labels[(n+1)%len(Labels)]].path
			}
			path := fmt.Sprintf(s.path, n%5)
			out = append(out, Record{
				Repo:         fmt.Sprintf("owner/repo%d", r),
				SHA:          fmt.Sprintf("%040x", n+1),
				Date:         "2024-05-01T12:00:00+02:00",
				Subject:      fmt.Sprintf("%s: %s widget %d", label, s.verbs[n%3], n%5),
				Body:         "Widget change number " + fmt.Sprint(n) + ".",
				Labels:       []string{label},
				Files:        []File{{Path: path, Status: s.status, Additions: 3, Deletions: 1}},
				FilesChanged: 1, Additions: 3, Deletions: 1,
				Diff: fmt.Sprintf("diff --git a/%s b/%s\n--- a/%s\n+++ b/%s\n@@ -1 +1,3 @@\n-old widget\n+new widget %s", path, path, path, path, label),
			})
		}
	}
	return out
}

// WriteJSONL writes records as JSON Lines to path.
func WriteJSONL(tb testing.TB, path string, records []Record) {
	tb.Helper()
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	enc := json.NewEncoder(f)
	for _, r := range records {
		if err := enc.Encode(r); err != nil {
			tb.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
}

// Examples turns records into training examples with their features.
func Examples(records []Record) []classify.Example {
	out := make([]classify.Example, len(records))
	for i, r := range records {
		files := make([]classify.File, len(r.Files))
		for j, f := range r.Files {
			files[j] = classify.File{Path: f.Path, Status: f.Status, Additions: f.Additions, Deletions: f.Deletions}
		}
		f := classify.BuildFeatures(classify.Commit{Subject: r.Subject, Body: r.Body, Files: files,
			FilesChanged: r.FilesChanged, Additions: r.Additions, Deletions: r.Deletions, Diff: r.Diff})
		out[i] = classify.Example{ID: r.Repo + "@" + r.SHA, Repo: r.Repo, Features: &f, Labels: r.Labels}
	}
	return out
}

// Require registers the kinds and loads ONNX Runtime, skipping the test
// when the library is not installed.
func Require(tb testing.TB) {
	tb.Helper()
	Register()
	err := classify.InitRuntime()
	if errors.Is(err, classify.ErrRuntimeMissing) {
		tb.Skipf("ONNX Runtime absent, run scripts/setup.sh to install it: %v", err)
	}
	if err != nil {
		tb.Fatal(err)
	}
}
