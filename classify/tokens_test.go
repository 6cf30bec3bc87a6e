package classify

import (
	"slices"
	"testing"
)

func TestNormalWord(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"bump", "bump"},
		{"bumps", "bump"},
		{"bumped", "bump"},
		{"bumping", "bump"},
		{"update", "updat"},
		{"updates", "updat"},
		{"updated", "updat"},
		{"fixes", "fix"},
		{"class", "class"},
		{"classes", "class"},
		{"typo", "typo"},
		{"is", "is"},
		{"42", "<num>"},
		{"v2", "<ver>"},
		{"rc1", "<ver>"},
	} {
		if got := NormalWord(tc.in); got != tc.want {
			t.Errorf("NormalWord(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestTokensNormaliseWords(t *testing.T) {
	f := BuildFeatures(Commit{Subject: "chore: bumped deps to v1.2.3", Body: "Updates tests"})
	var names []string
	for _, tk := range Tokens(&f, TokenConfig{BodyWords: 10, NormaliseWords: true}) {
		names = append(names, tk.Name)
	}
	for _, want := range []string{"s0:bump", "s:dep", "s:<ver>", "s:<num>", "s2:bump_dep", "b:updat", "b:test"} {
		if !slices.Contains(names, want) {
			t.Errorf("tokens %v lack %q", names, want)
		}
	}
}

func TestDropRepositorySpecific(t *testing.T) {
	vec := func(repo string, idx ...int64) labeledVector {
		return labeledVector{SparseVector: SparseVector{Indices: idx, Values: make([]float32, len(idx))}, repo: repo}
	}
	// Index 0 is in three repositories, 1 in two, 2 in one (twice).
	train := []labeledVector{vec("a", 0, 1, 2), vec("a", 2), vec("b", 0, 1), vec("c", 0), vec("d")}
	idf := []float32{1, 1, 1, 1}
	dropRepositorySpecific(idf, train, 2)
	if want := []float32{1, 1, 0, 0}; !slices.Equal(idf, want) {
		t.Errorf("minRepos 2: idf %v, want %v", idf, want)
	}
	for _, minRepos := range []int{1, 3} { // 3: fewer than 2×3 repositories
		idf = []float32{1, 1, 1, 1}
		dropRepositorySpecific(idf, train, minRepos)
		if want := []float32{1, 1, 1, 1}; !slices.Equal(idf, want) {
			t.Errorf("minRepos %d changed idf: %v", minRepos, idf)
		}
	}
}
