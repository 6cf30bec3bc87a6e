package classify_test

import (
	"strings"
	"testing"

	"github.com/commit-labeler/commit-labeler/classify"
)

func TestSubjectPathsText(t *testing.T) {
	files := func(n int) []classify.File {
		out := make([]classify.File, n)
		for i := range out {
			out[i] = classify.File{Path: "dir/f" + strings.Repeat("x", i) + ".go", Status: "M"}
		}
		return out
	}
	for _, tc := range []struct {
		name   string
		commit classify.Commit
		want   string
	}{
		{"subject alone", classify.Commit{Subject: "fix(parser): handle empty input", Body: "Long explanation."}, "handle empty input"},
		{"paths, not the body", classify.Commit{Subject: "Add a flag", Body: "More.", Files: files(2)}, "Add a flag\ndir/f.go\ndir/fx.go"},
		{"at most eight paths", classify.Commit{Subject: "Rename", Files: files(12)},
			"Rename\ndir/f.go\ndir/fx.go\ndir/fxx.go\ndir/fxxx.go\ndir/fxxxx.go\ndir/fxxxxx.go\ndir/fxxxxxx.go\ndir/fxxxxxxx.go"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := classify.BuildFeatures(tc.commit)
			if got := classify.SubjectPathsText(&f); got != tc.want {
				t.Errorf("SubjectPathsText = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestTextRecipe(t *testing.T) {
	f := classify.BuildFeatures(classify.Commit{Subject: "Add a flag", Body: "Why.", Files: []classify.File{{Path: "main.go", Status: "A"}}})
	for _, tc := range []struct {
		name, want string
	}{
		{"", classify.InputText(&f)},
		{classify.TextInput, classify.InputText(&f)},
		{classify.TextSubjectPaths, classify.SubjectPathsText(&f)},
	} {
		fn, err := classify.TextRecipe(tc.name)
		if err != nil {
			t.Fatalf("TextRecipe(%q): %v", tc.name, err)
		}
		if got := fn(&f); got != tc.want {
			t.Errorf("TextRecipe(%q) gives %q, want %q", tc.name, got, tc.want)
		}
	}
	if _, err := classify.TextRecipe("diff"); err == nil || !strings.Contains(err.Error(), classify.TextSubjectPaths) {
		t.Errorf("TextRecipe(diff): err %v, want one naming the recipes", err)
	}
}
