package pipeline

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/commit-labeler/commit-labeler/internal/gittest"
	"github.com/commit-labeler/commit-labeler/store"
)

func TestCloneLocalPathAndFileURL(t *testing.T) {
	ctx := context.Background()
	src := t.TempDir()
	// A working (non-bare) repository whose branch is not "main".
	work := filepath.Join(src, "proj")
	gittest.Init(t, work, "trunk")
	gittest.Commit(t, work, map[string]string{"a.txt": "one\n"}, "feat: one")
	gittest.Git(t, work, "branch", "old")
	// A bare repository reached through a file:// URL.
	libWork := filepath.Join(src, "lib-work")
	gittest.Init(t, libWork, "main")
	libHead := gittest.Commit(t, libWork, map[string]string{"lib.go": "package lib\n"}, "feat: lib")
	lib := filepath.Join(src, "lib.git")
	gittest.Git(t, src, "clone", "--quiet", "--bare", libWork, lib)

	workdir := filepath.Join(t.TempDir(), "work")
	env, _ := newLoggedEnv(t, Options{Workdir: workdir, Repos: []string{work, "file://" + lib}})
	counts, err := Clone(ctx, env)
	if err != nil {
		t.Fatal(err)
	}
	wantCounts(t, counts, Counts{"repositories": 2, "cloned": 2, "fetched": 0, "failed": 0})
	repos := storedRepos(t, env.DB)
	projHead := gittest.Git(t, work, "rev-parse", "HEAD")
	wantRepos := map[string]store.Repository{
		"proj": {Name: "proj", URL: work, ClonePath: filepath.Join(workdir, "proj.git"), Head: projHead},
		"lib":  {Name: "lib", URL: "file://" + lib, ClonePath: filepath.Join(workdir, "lib.git"), Head: libHead},
	}
	for name, want := range wantRepos {
		got := repos[name]
		want.ID = got.ID
		if got != want {
			t.Errorf("stored %s = %+v, want %+v", name, got, want)
		}
		if bare := gittest.Git(t, got.ClonePath, "rev-parse", "--is-bare-repository"); bare != "true" {
			t.Errorf("%s clone is not bare", name)
		}
	}
	if head := gittest.Git(t, repos["proj"].ClonePath, "symbolic-ref", "HEAD"); head != "refs/heads/trunk" {
		t.Errorf("proj clone HEAD = %s, want refs/heads/trunk", head)
	}

	// Upstream moves: a new commit, a deleted branch, a new default branch.
	newHead := gittest.Commit(t, work, map[string]string{"b.txt": "two\n"}, "fix: two")
	gittest.Git(t, work, "branch", "-D", "old")
	gittest.Git(t, lib, "branch", "dev", "main")
	gittest.Git(t, lib, "symbolic-ref", "HEAD", "refs/heads/dev")

	counts, err = Clone(ctx, env)
	if err != nil {
		t.Fatal(err)
	}
	wantCounts(t, counts, Counts{"repositories": 2, "cloned": 0, "fetched": 2, "failed": 0})
	repos = storedRepos(t, env.DB)
	if got := repos["proj"].Head; got != newHead {
		t.Errorf("proj head after fetch = %s, want %s", got, newHead)
	}
	if branches := gittest.Git(t, repos["proj"].ClonePath, "branch", "--format=%(refname:short)"); branches != "trunk" {
		t.Errorf("proj branches after fetch = %q, want only trunk (old pruned)", branches)
	}
	if head := gittest.Git(t, repos["lib"].ClonePath, "symbolic-ref", "HEAD"); head != "refs/heads/dev" {
		t.Errorf("lib clone HEAD after fetch = %s, want refs/heads/dev", head)
	}
}

func TestCloneFailuresNameTheRepository(t *testing.T) {
	src := filepath.Join(t.TempDir(), "good")
	gittest.Init(t, src, "main")
	gittest.Commit(t, src, map[string]string{"a": "a\n"}, "init")
	workdir := t.TempDir()
	env, logs := newLoggedEnv(t, Options{Workdir: workdir, Repos: []string{
		src,
		"file:///nonexistent/nope.git",
		"https://someone:hunter2@git.example.com/o/r.git",
		src + "/.git", // the same name as src, another URL
	}})
	counts, err := Clone(context.Background(), env)
	wantCounts(t, counts, Counts{"repositories": 4, "cloned": 1, "failed": 3})
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"repository nope (file:///nonexistent/nope.git)", "git.example.com/o/r.git", "repository good (" + src + "/.git): the name is already used"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not name %q:\n%v", want, err)
		}
	}
	if strings.Contains(err.Error()+logs.String(), "hunter2") {
		t.Errorf("the password leaked:\n%v\n%s", err, logs)
	}
	if repos := storedRepos(t, env.DB); len(repos) != 1 || repos["good"].Head == "" {
		t.Errorf("stored %+v, want only good", repos)
	}
	entries, _ := os.ReadDir(workdir)
	if len(entries) != 1 || entries[0].Name() != "good.git" {
		t.Errorf("work directory holds %v, want only good.git (no half clone)", entries)
	}
}

func TestCloneCancelledLeavesNothing(t *testing.T) {
	root := t.TempDir()
	src := filepath.Join(t.TempDir(), "proj")
	gittest.Init(t, src, "main")
	gittest.Commit(t, src, map[string]string{"a": "a\n"}, "init")
	gittest.Git(t, root, "clone", "--quiet", "--bare", src, filepath.Join(root, "proj.git"))
	ctx, cancel := context.WithCancel(context.Background())
	// The server cancels the phase while git is cloning from it.
	srv := gittest.ServeHTTP(t, root, func(*http.Request) bool {
		cancel()
		time.Sleep(50 * time.Millisecond)
		return true
	})
	workdir := t.TempDir()
	env, _ := newLoggedEnv(t, Options{Workdir: workdir, Repos: []string{srv.URL + "/proj.git"}})

	if _, err := Clone(ctx, env); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if entries, _ := os.ReadDir(workdir); len(entries) != 0 || len(storedRepos(t, env.DB)) != 0 {
		t.Fatalf("a cancelled clone left %v and %v", entries, storedRepos(t, env.DB))
	}
	counts, err := Clone(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	wantCounts(t, counts, Counts{"repositories": 1, "cloned": 1, "failed": 0})
	if head := storedRepos(t, env.DB)["proj"].Head; head != gittest.Git(t, src, "rev-parse", "HEAD") {
		t.Errorf("head after the rerun = %q", head)
	}
}
