// Package commitlabeler holds the contracts shared by the binaries, embedded
// in them: the label vocabulary of labels.json, which the bot and the
// training pipeline agree on, and the GitHub App manifest app.yml, which
// `bot setup` registers.
package commitlabeler

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
)

//go:embed labels.json
var labelsJSON []byte

// Label is one change type of the vocabulary.
type Label struct {
	// Name is the vocabulary name, e.g. "feat".
	Name string `json:"name"`
	// GitHubLabel is the default name of the label on GitHub.
	GitHubLabel string `json:"github_label"`
	// Color is the GitHub label colour, six hex digits without '#'.
	Color string `json:"color"`
	// Description is a one-line definition, used on GitHub and in LLM prompts.
	Description string `json:"description"`
	// Types are the lower-case Conventional Commits types that map to this label.
	Types []string `json:"types"`
}

// Vocabulary is the parsed labels.json.
type Vocabulary struct {
	// Version is the vocabulary contract version.
	Version int `json:"version"`
	// Labels in their canonical order; model outputs use this order.
	Labels []Label `json:"labels"`
	// Fallback is the label for a Conventional Commits type that maps to no label.
	Fallback string `json:"fallback"`
	// I18nScopes are scope words that add the i18n label.
	I18nScopes []string `json:"i18n_scopes"`

	byName map[string]int
	byType map[string]string
}

var (
	defaultOnce  sync.Once
	defaultVocab *Vocabulary
)

// Default returns the embedded vocabulary. The embedded file is validated by
// tests, so a parse failure here is a build defect and panics.
func Default() *Vocabulary {
	defaultOnce.Do(func() {
		v, err := ParseVocabulary(labelsJSON)
		if err != nil {
			panic(fmt.Sprintf("embedded labels.json: %v", err))
		}
		defaultVocab = v
	})
	return defaultVocab
}

// ParseVocabulary parses and validates a labels.json document.
func ParseVocabulary(data []byte) (*Vocabulary, error) {
	var v Vocabulary
	if err := json.Unmarshal(data, &v); err != nil {
		return nil, fmt.Errorf("labels.json: %w", err)
	}
	if v.Version != 1 {
		return nil, fmt.Errorf("labels.json: unsupported version %d", v.Version)
	}
	v.byName = make(map[string]int, len(v.Labels))
	v.byType = make(map[string]string)
	for i, l := range v.Labels {
		if l.Name == "" || l.GitHubLabel == "" || l.Description == "" {
			return nil, fmt.Errorf("labels.json: label %d: name, github_label and description are required", i)
		}
		if len(l.Color) != 6 {
			return nil, fmt.Errorf("labels.json: label %q: color %q is not six hex digits", l.Name, l.Color)
		}
		if _, dup := v.byName[l.Name]; dup {
			return nil, fmt.Errorf("labels.json: label %q listed twice", l.Name)
		}
		v.byName[l.Name] = i
		for _, t := range l.Types {
			if prev, dup := v.byType[t]; dup {
				return nil, fmt.Errorf("labels.json: type %q maps to both %q and %q", t, prev, l.Name)
			}
			v.byType[t] = l.Name
		}
	}
	if _, ok := v.byName[v.Fallback]; !ok {
		return nil, fmt.Errorf("labels.json: fallback %q is not a label", v.Fallback)
	}
	return &v, nil
}

// Names returns the label names in canonical order.
func (v *Vocabulary) Names() []string {
	names := make([]string, len(v.Labels))
	for i, l := range v.Labels {
		names[i] = l.Name
	}
	return names
}

// Index returns the position of a label name, or -1 if it is not in the vocabulary.
func (v *Vocabulary) Index(name string) int {
	if i, ok := v.byName[name]; ok {
		return i
	}
	return -1
}

// Has reports whether name is a label of the vocabulary.
func (v *Vocabulary) Has(name string) bool { return v.Index(name) >= 0 }

// Get returns the label with the given name.
func (v *Vocabulary) Get(name string) (Label, bool) {
	i := v.Index(name)
	if i < 0 {
		return Label{}, false
	}
	return v.Labels[i], true
}

// ForType maps a Conventional Commits type (any case) to a label name; unknown
// types map to the fallback label.
func (v *Vocabulary) ForType(typ string) string {
	if l, ok := v.byType[strings.ToLower(typ)]; ok {
		return l
	}
	return v.Fallback
}

// IsI18nScope reports whether a scope names internationalisation: any of its
// words, split at commas, slashes and spaces, is an i18n scope word.
func (v *Vocabulary) IsI18nScope(scope string) bool {
	words := strings.FieldsFunc(strings.ToLower(scope), func(r rune) bool {
		return r == ',' || r == '/' || r == ' '
	})
	for _, w := range words {
		for _, s := range v.I18nScopes {
			if w == s {
				return true
			}
		}
	}
	return false
}
