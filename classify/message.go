package classify

import (
	"regexp"
	"strings"
)

// BodyLimit is the most characters of a message body kept, as in the corpus.
const BodyLimit = 2000

var (
	trailerPattern = regexp.MustCompile(`(?i)^(signed-off-by|co-authored-by|reviewed-by|change-id|acked-by|tested-by|reported-by|suggested-by|helped-by|cc|approved-by|reviewed-on|co-developed-by):`)
	// A "Key: Name <address>" line of any key is a trailer too.
	addressTrailerPattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9-]*: .*<[^>\s]+@[^>\s]+>\s*$`)
	emailPattern          = regexp.MustCompile(`[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}`)
	blankRunPattern       = regexp.MustCompile(`\n{3,}`)
)

// SplitMessage splits a commit message into its subject (first line, trimmed)
// and its raw body.
func SplitMessage(message string) (subject, body string) {
	message = strings.ReplaceAll(message, "\r\n", "\n")
	subject, body, _ = strings.Cut(message, "\n")
	return strings.TrimSpace(subject), body
}

// CleanBody prepares a message body the way the training corpus was
// prepared: trailer lines removed, e-mail addresses replaced by <email>,
// runs of blank lines collapsed, trimmed and cut to BodyLimit characters.
func CleanBody(body string) string {
	body = strings.ReplaceAll(body, "\r\n", "\n")
	lines := strings.Split(body, "\n")
	kept := lines[:0]
	for _, l := range lines {
		t := strings.TrimSpace(l)
		if hasTrailerKey(t) && (trailerPattern.MatchString(t) || addressTrailerPattern.MatchString(t)) {
			continue
		}
		l = strings.TrimRight(l, " \t")
		// An address never spans lines, so replacing line by line, and only
		// in lines with an '@', finds the same addresses at a fraction of the cost.
		if strings.IndexByte(l, '@') >= 0 {
			l = emailPattern.ReplaceAllString(l, "<email>")
		}
		kept = append(kept, l)
	}
	out := strings.Join(kept, "\n")
	if strings.Contains(out, "\n\n\n") {
		out = blankRunPattern.ReplaceAllString(out, "\n\n")
	}
	out = strings.TrimSpace(out)
	return truncateRunes(out, BodyLimit)
}

// hasTrailerKey reports whether a line starts with "Key:", a word of letters,
// digits and dashes: every trailer does, most lines do not and skip the
// regular expressions.
func hasTrailerKey(t string) bool {
	i := strings.IndexByte(t, ':')
	if i <= 0 || !isLetter(t[0]) {
		return false
	}
	for j := 1; j < i; j++ {
		if c := t[j]; !isLetter(c) && !isDigit(c) && c != '-' {
			return false
		}
	}
	return true
}

// truncateRunes cuts s to at most n characters without splitting a UTF-8 sequence.
func truncateRunes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	count := 0
	for i := range s {
		if count == n {
			return s[:i]
		}
		count++
	}
	return s
}

var botNamePattern = regexp.MustCompile(`(?i)(\[bot\]|dependabot|renovate|greenkeeper|snyk-bot|github-actions|pre-commit-ci|mergify|semantic-release-bot|allcontributors|imgbot|codecov|release-please)`)

// IsBotAuthor reports whether an author name or address looks like a bot
// (dependabot, renovate, "[bot]", ...).
func IsBotAuthor(name, email string) bool {
	return botNamePattern.MatchString(name) || botNamePattern.MatchString(email)
}
