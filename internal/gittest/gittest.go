// Package gittest makes real git repositories for tests and serves them
// over git's smart HTTP protocol.
package gittest

import (
	"bytes"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// identity makes commits of Git and Commit reproducible.
var identity = []string{
	"GIT_AUTHOR_NAME=Test Author", "GIT_AUTHOR_EMAIL=author@example.com",
	"GIT_COMMITTER_NAME=Test Committer", "GIT_COMMITTER_EMAIL=committer@example.com",
}

// Git runs git in dir and returns its trimmed output, failing the test on error.
func Git(t testing.TB, dir string, args ...string) string {
	t.Helper()
	return GitInput(t, dir, nil, args...)
}

// GitInput is Git with stdin.
func GitInput(t testing.TB, dir string, stdin []byte, args ...string) string {
	t.Helper()
	return strings.TrimSpace(run(t, dir, identity, stdin, args...))
}

// run runs git in dir with Env plus extraEnv and returns its standard output,
// failing the test on error.
func run(t testing.TB, dir string, extraEnv []string, stdin []byte, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(Env(), extraEnv...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("gittest: git %s in %s: %v\n%s", strings.Join(args, " "), dir, err, stderr.String())
	}
	return stdout.String()
}

// Init makes a working repository at dir whose branch is branch.
func Init(t testing.TB, dir, branch string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	Git(t, dir, "init", "--quiet", "--initial-branch="+branch)
}

// Commit writes files (path → content) in the working repository at dir,
// commits them all with message and returns the commit id.
func Commit(t testing.TB, dir string, files map[string]string, message string) string {
	t.Helper()
	for _, name := range slices.Sorted(maps.Keys(files)) {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(files[name]), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	Git(t, dir, "add", "--all")
	Git(t, dir, "commit", "--quiet", "--message", message)
	return Git(t, dir, "rev-parse", "HEAD")
}
