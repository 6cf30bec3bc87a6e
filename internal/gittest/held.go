package gittest

import (
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// HeldRepository serves acme/app, a history of 300 Conventional Commits,
// over HTTP: the first request waits until release (or the test's end),
// the others are answered. cloning is closed when the first request
// arrives: whoever clones first is then mid-clone for as long as the test
// wants.
func HeldRepository(t testing.TB) (url string, cloning <-chan struct{}, release func()) {
	t.Helper()
	history := ConventionalHistory(t, 300, "chore", nil)
	root := t.TempDir()
	Git(t, history.Dir, "clone", "--quiet", "--bare", history.Dir, filepath.Join(root, "acme", "app.git"))
	first, held := make(chan struct{}), make(chan struct{})
	var requests atomic.Int32
	git := ServeHTTP(t, root, func(*http.Request) bool {
		if requests.Add(1) == 1 {
			close(first)
			<-held
		}
		return true
	})
	var once sync.Once
	release = func() { once.Do(func() { close(held) }) }
	t.Cleanup(release)
	return git.URL + "/acme/app.git", first, release
}

// ProcessesCloningInto lists the processes ("PID command line") working on
// the learning worker's temporary clone dir: git and its helpers name it
// in their environment (COMMIT_LABELER_TEMP_CLONE).
func ProcessesCloningInto(t testing.TB, dir string) []string {
	t.Helper()
	environs, err := filepath.Glob("/proc/[0-9]*/environ")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, p := range environs {
		env, err := os.ReadFile(p)
		if err == nil && slices.Contains(strings.Split(string(env), "\x00"), "COMMIT_LABELER_TEMP_CLONE="+dir) {
			cmdline, _ := os.ReadFile(filepath.Join(filepath.Dir(p), "cmdline"))
			out = append(out, filepath.Base(filepath.Dir(p))+" "+strings.ReplaceAll(string(cmdline), "\x00", " "))
		}
	}
	return out
}
