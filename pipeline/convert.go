package pipeline

import (
	"github.com/commit-labeler/commit-labeler/classify"
	"github.com/commit-labeler/commit-labeler/store"
)

// classifyCommit converts a stored commit into the input of feature building
// and classification; every phase that hands commits to classify uses it.
func classifyCommit(c *store.Commit) classify.Commit {
	files := make([]classify.File, len(c.Files))
	for i, f := range c.Files {
		// A conversion, not a copy field by field: the build breaks the
		// day the two types differ.
		files[i] = classify.File(f)
	}
	return classify.Commit{
		Subject:      c.Subject,
		Body:         c.Body,
		Files:        files,
		FilesChanged: c.FilesChanged,
		Additions:    c.Additions,
		Deletions:    c.Deletions,
		Diff:         c.Diff,
		AuthorIsBot:  c.AuthorIsBot,
	}
}
