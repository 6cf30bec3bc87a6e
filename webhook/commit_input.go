package webhook

import (
	"cmp"
	"slices"
	"strings"

	"github.com/google/go-github/v93/github"

	"github.com/commit-labeler/commit-labeler/classify"
)

// maxInputFiles is the most files a classify.Commit lists, as in the corpus.
const maxInputFiles = 100

// commitInput builds the classifier's input from a message and the changed
// files as the REST API lists them (a pull request's or a commit's), with
// the conventions of the training corpus: subject and cleaned body, files in
// path order, and the unified diff text git would print with one line of
// context, cut by classify.DiffBuilder.
func commitInput(subject, body string, files []*github.CommitFile) classify.Commit {
	files = slices.SortedFunc(slices.Values(files), func(a, b *github.CommitFile) int {
		return cmp.Compare(a.GetFilename(), b.GetFilename())
	})
	c := classify.Commit{Subject: subject, Body: classify.CleanBody(body), FilesChanged: len(files)}
	diff := classify.NewDiffBuilder(classify.DiffLimit)
	for _, f := range files {
		cf := fileInput(f)
		c.Additions += f.GetAdditions()
		c.Deletions += f.GetDeletions()
		if len(c.Files) < maxInputFiles {
			c.Files = append(c.Files, cf)
		}
		if !diff.Full() {
			writeFileDiff(diff, cf, f.GetPatch())
		}
	}
	c.Diff = diff.String()
	return c
}

// apiStatus maps the API's file status to git's letter.
var apiStatus = map[string]string{
	"added": "A", "removed": "D", "modified": "M", "renamed": "R", "copied": "C", "changed": "T", "unchanged": "M",
}

func fileInput(f *github.CommitFile) classify.File {
	status := cmp.Or(apiStatus[f.GetStatus()], "M")
	cf := classify.File{
		Path:      f.GetFilename(),
		Status:    status,
		Additions: f.GetAdditions(),
		Deletions: f.GetDeletions(),
	}
	if status == "R" || status == "C" {
		cf.OldPath = f.GetPreviousFilename()
	}
	// The API omits the patch of binary files; a rename without changes
	// has none either and is not binary.
	pureMove := (status == "R" || status == "C") && f.GetChanges() == 0
	cf.Binary = f.GetPatch() == "" && !pureMove
	return cf
}

// writeFileDiff writes one file's part of the diff as `git log -p -U1`
// prints it, without the index line (dropped in the corpus too).
func writeFileDiff(d *classify.DiffBuilder, f classify.File, patch string) {
	oldPath := cmp.Or(f.OldPath, f.Path)
	minus, plus := "a/"+oldPath, "b/"+f.Path
	lines := []string{"diff --git a/" + oldPath + " b/" + f.Path}
	switch f.Status {
	case "A":
		lines = append(lines, "new file mode 100644")
		minus = "/dev/null"
	case "D":
		lines = append(lines, "deleted file mode 100644")
		plus = "/dev/null"
	case "R":
		lines = append(lines, "rename from "+oldPath, "rename to "+f.Path)
	case "C":
		lines = append(lines, "copy from "+oldPath, "copy to "+f.Path)
	}
	switch {
	case f.Binary:
		lines = append(lines, "Binary files "+minus+" and "+plus+" differ")
	case patch != "":
		lines = append(lines, "--- "+minus, "+++ "+plus)
		lines = append(lines, strings.Split(strings.TrimSuffix(patch, "\n"), "\n")...)
	}
	for _, l := range lines {
		if !d.AddLine(l) {
			return
		}
	}
}
