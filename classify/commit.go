// Package classify builds features from commits and classifies them. The same
// feature builder serves training (the enrich phase) and the bot.
package classify

// Commit is the input of feature building and classification: a commit or a
// pull request as seen by the pipeline or the bot.
type Commit struct {
	// Subject is the first message line as written, possibly with a
	// Conventional Commits header, which feature building masks.
	Subject string
	// Body is the message after the subject line.
	Body string
	// Files are the changed files in git's order (the first 100 at most).
	Files []File
	// FilesChanged, Additions and Deletions are totals over the whole change.
	FilesChanged int
	Additions    int
	Deletions    int
	// Diff is the unified diff with one line of context, cut by TruncateDiff.
	Diff string
	// AuthorIsBot is set when the author looks like a bot (IsBotAuthor).
	AuthorIsBot bool
}

// File is one changed file. store.File is the same struct, kept there
// because store imports no package of ours and classify never imports
// store; pipeline converts one into the other with a type conversion, so
// the two cannot drift apart.
type File struct {
	Path      string
	OldPath   string
	Status    string // A, M, D, R, C or T
	Additions int
	Deletions int
	Binary    bool
}
