package pipeline

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/commit-labeler/commit-labeler/internal/gittest"
)

// TestClonePinnedReadsHistoryAsOfThePin clones a repository served over
// HTTP at a pinned commit: extract reads the commits up to the pin, not
// those after it, and a fetch after the remote moved keeps the pin.
func TestClonePinnedReadsHistoryAsOfThePin(t *testing.T) {
	ctx := context.Background()
	src := filepath.Join(t.TempDir(), "proj")
	gittest.Init(t, src, "main")
	var shas []string
	for _, msg := range []string{"feat: one", "fix: two", "docs: three"} {
		shas = append(shas, gittest.Commit(t, src, map[string]string{"f": msg + "\n"}, msg))
	}
	root := t.TempDir()
	bare := filepath.Join(root, "acme", "proj.git")
	gittest.Git(t, root, "clone", "--quiet", "--bare", src, bare)
	srv := gittest.ServeHTTP(t, root, nil)

	env, _ := newLoggedEnv(t, Options{Workdir: t.TempDir(), Repos: []string{srv.URL + "/acme/proj.git#" + shas[1]}})
	if _, err := Clone(ctx, env); err != nil {
		t.Fatal(err)
	}
	if head := storedRepos(t, env.DB)["acme/proj"].Head; head != shas[1] {
		t.Fatalf("head = %q, want the pinned %s", head, shas[1])
	}
	counts, err := Extract(ctx, env)
	if err != nil {
		t.Fatal(err)
	}
	wantCounts(t, counts, Counts{CountAdded: 2})

	gittest.Commit(t, src, map[string]string{"f": "four\n"}, "feat: four")
	gittest.Git(t, src, "push", "--quiet", bare, "main")
	counts, err = Clone(ctx, env)
	if err != nil {
		t.Fatal(err)
	}
	wantCounts(t, counts, Counts{"fetched": 1})
	if head := storedRepos(t, env.DB)["acme/proj"].Head; head != shas[1] {
		t.Errorf("head after a fetch = %q, want the pinned %s", head, shas[1])
	}
}

func TestClonePinnedToAMissingCommitFails(t *testing.T) {
	src := filepath.Join(t.TempDir(), "proj")
	gittest.Init(t, src, "main")
	gittest.Commit(t, src, map[string]string{"f": "a\n"}, "feat: one")
	missing := strings.Repeat("ab", 20)
	env, _ := newLoggedEnv(t, Options{Workdir: t.TempDir(), Repos: []string{src + "#" + missing}})
	_, err := Clone(context.Background(), env)
	if err == nil || !strings.Contains(err.Error(), missing) {
		t.Fatalf("err = %v, want one naming the pinned commit %s", err, missing)
	}
	if repos := storedRepos(t, env.DB); len(repos) != 0 {
		t.Errorf("stored %+v for a pin that is not there", repos)
	}
}
