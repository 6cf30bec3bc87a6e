package classify

// Token names: the namespaces Tokens prefixes values with, and the names it
// emits whole. They are exported because explanations name tokens (Reason)
// and the bot says each in words: one list, so that the builder and what
// describes its tokens cannot drift apart.
const (
	// TokenSubjectFirst is the masked subject's first word.
	TokenSubjectFirst = "s0:"
	// TokenSubjectWord is a word of the masked subject.
	TokenSubjectWord = "s:"
	// TokenSubjectPair is two adjacent subject words joined by "_".
	TokenSubjectPair = "s2:"
	// TokenSubjectChars is a character n-gram of a subject word, the word
	// padded with "<" and ">" (TokenConfig.SubjectChars).
	TokenSubjectChars = "c:"
	// TokenBodyWord is a word of the masked body (TokenConfig.BodyWords).
	TokenBodyWord = "b:"
	// TokenCategory is a listed file's category.
	TokenCategory = "cat:"
	// TokenExtension is a listed file's lower-case extension ("" for none).
	TokenExtension = "ext:"
	// TokenTopDir is a listed file's lower-case first directory ("." for the root).
	TokenTopDir = "top:"
	// TokenBase is a listed file's lower-case name.
	TokenBase = "base:"
	// TokenStatus is a listed file's git status letter.
	TokenStatus = "st:"
	// TokenPathWord is a word of a listed file's lower-case path.
	TokenPathWord = "p:"
	// TokenCategoryFiles is a category's share of the listed files,
	// "category:bucket" (shareBucket).
	TokenCategoryFiles = "cs:"
	// TokenCategoryLines is a category's share of the listed files' changed
	// lines, "category:bucket".
	TokenCategoryLines = "cl:"
	// TokenLines is the size class of the changed lines (Features.LinesBucket).
	TokenLines = "lines:"
	// TokenFiles is the size class of the changed files (Features.FilesBucket).
	TokenFiles = "files:"
	// TokenAdditions is the share bucket of additions among changed lines.
	TokenAdditions = "adds:"
	// TokenBlank is the share bucket of blank changed lines (DiffStats.BlankShare).
	TokenBlank = "blank:"
	// TokenComment is the share bucket of comment lines (DiffStats.CommentShare).
	TokenComment = "comment:"
	// TokenWhitespace is the share bucket of whitespace-only changes
	// (DiffStats.WhitespaceShare).
	TokenWhitespace = "whitespace:"
	// TokenMoved is the share bucket of moved lines (DiffStats.MovedShare).
	TokenMoved = "moved:"
	// TokenVersion is the share bucket of version number changes
	// (DiffStats.VersionShare).
	TokenVersion = "version:"
	// TokenDiffAdded is a word of an added diff line (TokenConfig.DiffWords).
	TokenDiffAdded = "d+:"
	// TokenDiffRemoved is a word of a removed diff line (TokenConfig.DiffWords).
	TokenDiffRemoved = "d-:"

	// TokenSubjectEmpty is emitted instead of words for a subject without any.
	TokenSubjectEmpty = TokenSubjectWord + "<empty>"
	// TokenSubjectHeader marks a masked subject that still starts with a
	// Conventional Commits header: a revert of a conventional commit.
	TokenSubjectHeader = TokenSubjectWord + "<header>"
	// TokenAuthorBot marks commits by bots.
	TokenAuthorBot = "author:bot"
	// TokenRenameOnly marks commits that rename or copy a file unchanged.
	TokenRenameOnly = "rename-only"
)
