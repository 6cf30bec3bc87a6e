package classify

import (
	"regexp"
	"strings"

	commitlabeler "github.com/commit-labeler/commit-labeler"
)

// headerPattern is the Conventional Commits header of the corpus (DATA.md),
// widened to types with digits after the first letter so that "i18n: ..." and
// "l10n: ..." parse. Any single word followed by ": " matches, so
// component-style subjects map to "other".
var headerPattern = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9]*)(\(([^)]*)\))?(!)?: (.+)$`)

// revertPattern matches git's default revert subject, Revert "X".
var revertPattern = regexp.MustCompile(`^Revert "(.+)"$`)

// Header is a parsed Conventional Commits subject.
type Header struct {
	// Type is the declared type, lower-cased ("revert" for Revert "..." subjects).
	Type string
	// Scope is the scope as written, empty when absent.
	Scope string
	// HasScope distinguishes "feat(): x" from "feat: x".
	HasScope bool
	// Breaking is set by "!" before the colon.
	Breaking bool
	// Description is the subject with the header removed (the masked subject).
	Description string
	// Quote is the header as written, its description elided ("Fix(api)!: …",
	// `Revert "…"`): what explanations quote as the header read.
	Quote string
}

// ParseHeader parses a subject line. ok is false when the subject has no
// Conventional Commits header and is not a Revert "..." subject.
func ParseHeader(subject string) (h Header, ok bool) {
	subject = strings.TrimSpace(subject)
	if m := revertPattern.FindStringSubmatch(subject); m != nil {
		return Header{Type: "revert", Description: m[1], Quote: `Revert "…"`}, true
	}
	m := headerPattern.FindStringSubmatch(subject)
	if m == nil {
		return Header{}, false
	}
	return Header{
		Type:        strings.ToLower(m[1]),
		Scope:       m[3],
		HasScope:    m[2] != "",
		Breaking:    m[4] == "!",
		Description: strings.TrimSpace(m[5]),
		Quote:       m[1] + m[2] + m[4] + ": …",
	}, true
}

// MaskSubject returns the subject without its Conventional Commits header,
// the only form of a subject a model ever sees.
func MaskSubject(subject string) string {
	if h, ok := ParseHeader(subject); ok {
		return h.Description
	}
	return strings.TrimSpace(subject)
}

// Labels maps the header to vocabulary labels as DATA.md does: the label of
// the type first, then i18n when the scope names internationalisation.
func (h Header) Labels(v *commitlabeler.Vocabulary) []string {
	first := v.ForType(h.Type)
	labels := []string{first}
	if first != "i18n" && v.IsI18nScope(h.Scope) {
		labels = append(labels, "i18n")
	}
	return labels
}
