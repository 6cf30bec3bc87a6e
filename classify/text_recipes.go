package classify

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Text recipes: how a commit's features become the one text a transformer
// reads. A fine-tuned transformer is served with the recipe it was trained
// on (TransformerConfig.Text); `train texts` writes a corpus's texts by a
// recipe for training one.
const (
	// TextInput is InputText: the masked subject, the body's first lines
	// and up to 20 paths with their status.
	TextInput = "input"
	// TextSubjectPaths is SubjectPathsText: the masked subject and up to
	// SubjectPathsFiles paths, which fit in the 64 tokens a fine-tuned
	// encoder reads cheaply.
	TextSubjectPaths = "subject_paths"
)

// SubjectPathsFiles is how many paths SubjectPathsText lists.
const SubjectPathsFiles = 8

// textRecipes are the recipes by name.
var textRecipes = map[string]func(*Features) string{
	TextInput:        InputText,
	TextSubjectPaths: SubjectPathsText,
}

// TextRecipe returns the named recipe; "" is TextInput.
func TextRecipe(name string) (func(*Features) string, error) {
	if name == "" {
		name = TextInput
	}
	fn, ok := textRecipes[name]
	if !ok {
		return nil, fmt.Errorf("text recipe %q: want one of %v", name, TextRecipeNames())
	}
	return fn, nil
}

// TextRecipeNames lists the recipes' names, sorted.
func TextRecipeNames() []string {
	return slices.Sorted(maps.Keys(textRecipes))
}

// SubjectPathsText renders the masked subject and the first
// SubjectPathsFiles paths, one a line.
func SubjectPathsText(f *Features) string {
	var b strings.Builder
	b.WriteString(f.Subject)
	for _, fl := range f.Files[:min(len(f.Files), SubjectPathsFiles)] {
		b.WriteString("\n")
		b.WriteString(fl.Path)
	}
	return b.String()
}
