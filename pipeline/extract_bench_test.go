package pipeline

import (
	"fmt"
	"go/build"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/commit-labeler/commit-labeler/internal/gittest"
)

// benchCommits is the size of the generated benchmark repository.
const benchCommits = 3000

// BenchmarkExtract measures the extract phase (git log stream, parsing,
// SQLite writes into a real file) against plain git producing the same
// patches with numstat into io.Discard, on the same repository: the
// repository at $BENCH_REPO, or one generated from the Go source tree and
// cached under the user cache directory.
func BenchmarkExtract(b *testing.B) {
	repo := benchRepository(b)
	out, err := exec.Command("git", "-C", repo, "rev-list", "--count", "--no-merges", "HEAD").Output()
	if err != nil {
		b.Fatal(err)
	}
	commits, _ := strconv.Atoi(strings.TrimSpace(string(out)))
	var plain, ours time.Duration
	runs := 0
	for b.Loop() {
		start := time.Now()
		cmd := exec.Command("git", "-C", repo, "log", "--no-merges", "-p", "-U1", "-M", "--numstat", "HEAD")
		cmd.Stdout = io.Discard
		if err := cmd.Run(); err != nil {
			b.Fatal(err)
		}
		plain += time.Since(start)

		env := newTestEnv(b, repo)
		start = time.Now()
		counts := extract(b, env)
		ours += time.Since(start)
		if counts[CountAdded] != int64(commits) {
			b.Fatalf("extracted %d of %d commits: %v", counts[CountAdded], commits, counts)
		}
		runs++
	}
	n := float64(commits * runs)
	b.ReportMetric(n/plain.Seconds(), "git-commits/s")
	b.ReportMetric(n/ours.Seconds(), "extract-commits/s")
	b.ReportMetric(plain.Seconds()/ours.Seconds(), "extract/git")
}

// benchRepository returns $BENCH_REPO or builds (once) a bare repository of
// benchCommits commits that add and edit the Go source files of GOROOT.
func benchRepository(b *testing.B) string {
	if p := os.Getenv("BENCH_REPO"); p != "" {
		return p
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		b.Fatal(err)
	}
	dir := filepath.Join(cache, "commit-labeler", "bench", fmt.Sprintf("go-src-%s-%d.git", runtime.Version(), benchCommits))
	if _, err := os.Stat(dir); err == nil {
		return dir
	}
	sources := goSources(b)
	tmp := dir + ".tmp" + strconv.Itoa(os.Getpid())
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		b.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	if out, err := exec.Command("git", "init", "--quiet", "--bare", "--initial-branch=main", tmp).CombinedOutput(); err != nil {
		b.Fatalf("git init: %v\n%s", err, out)
	}
	var stream gittest.FastImport
	newSourceHistory(sources).write(&stream, benchCommits)
	stream.Run(b, tmp)
	if err := os.Rename(tmp, dir); err != nil {
		b.Fatal(err)
	}
	return dir
}

// goSources reads the Go files of GOROOT/src under 40 kB, by path.
func goSources(b *testing.B) map[string][]string {
	root := filepath.Join(build.Default.GOROOT, "src")
	files := make(map[string][]string)
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "testdata" {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".go") {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil || len(data) > 40<<10 {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		files[filepath.ToSlash(rel)] = strings.SplitAfter(string(data), "\n")
		return nil
	})
	if err != nil || len(files) < 1000 {
		b.Skipf("Go source tree at %s unusable (%d files): %v", root, len(files), err)
	}
	return files
}

// sourceHistory grows a tree from real source files: each commit adds a
// few files and edits a few with lines taken from others, sometimes renames
// or deletes one, like ordinary development.
type sourceHistory struct {
	rng     *rand.Rand
	sources map[string][]string
	pending []string            // source files not added yet
	tree    map[string][]string // path → lines
	live    []string
}

func newSourceHistory(sources map[string][]string) *sourceHistory {
	pending := slices.Sorted(func(yield func(string) bool) {
		for p := range sources {
			if !yield(p) {
				return
			}
		}
	})
	return &sourceHistory{rng: rand.New(rand.NewPCG(7, 11)), sources: sources, pending: pending, tree: make(map[string][]string)}
}

var benchSubjects = []string{"feat", "fix", "refactor", "docs", "test", "perf", "chore", "build", "style"}

func (h *sourceHistory) write(stream *gittest.FastImport, commits int) {
	at := time.Date(2019, 1, 1, 9, 0, 0, 0, time.UTC)
	head := 0
	for i := range commits {
		var changes []gittest.FileChange
		adds := h.rng.IntN(3)
		if i == 0 {
			adds = 300
		}
		for range adds {
			changes = append(changes, h.add())
		}
		for range 1 + h.rng.IntN(4) {
			changes = append(changes, h.edit())
		}
		switch r := h.rng.IntN(200); {
		case r < 2:
			changes = append(changes, h.rename()...)
		case r < 3:
			changes = append(changes, h.remove())
		}
		at = at.Add(time.Duration(1+h.rng.IntN(6)) * time.Hour)
		subject := fmt.Sprintf("%s(%s): change %d", benchSubjects[h.rng.IntN(len(benchSubjects))], path.Dir(changes[0].Path), i)
		head = stream.Commit(gittest.ImportCommit{At: at, Message: subject, From: head, Changes: changes})
	}
}

func (h *sourceHistory) add() gittest.FileChange {
	p := h.pending[0]
	h.pending = h.pending[1:]
	h.tree[p] = slices.Clone(h.sources[p])
	h.live = append(h.live, p)
	return h.change(p)
}

func (h *sourceHistory) change(p string) gittest.FileChange {
	return gittest.FileChange{Path: p, Content: strings.Join(h.tree[p], "")}
}

// edit deletes, inserts or replaces a few lines of a live file, taking new
// lines from another source file.
func (h *sourceHistory) edit() gittest.FileChange {
	p := h.live[h.rng.IntN(len(h.live))]
	lines := h.tree[p]
	donor := h.sources[h.pending[h.rng.IntN(len(h.pending))]]
	from := h.rng.IntN(len(donor))
	insert := donor[from:min(len(donor), from+1+h.rng.IntN(10))]
	at := h.rng.IntN(len(lines) + 1)
	cut := min(len(lines), at+h.rng.IntN(6))
	switch h.rng.IntN(3) {
	case 0:
		lines = slices.Delete(lines, at, min(len(lines), max(cut, at+1)))
	case 1:
		lines = slices.Insert(lines, at, insert...)
	default:
		lines = slices.Replace(lines, at, cut, insert...)
	}
	h.tree[p] = lines
	return h.change(p)
}

func (h *sourceHistory) rename() []gittest.FileChange {
	i := h.rng.IntN(len(h.live))
	old := h.live[i]
	moved := "moved/" + old
	if _, taken := h.tree[moved]; taken {
		return nil
	}
	h.tree[moved] = h.tree[old]
	delete(h.tree, old)
	h.live[i] = moved
	return []gittest.FileChange{{Path: old, Delete: true}, h.change(moved)}
}

func (h *sourceHistory) remove() gittest.FileChange {
	i := h.rng.IntN(len(h.live))
	p := h.live[i]
	h.live = slices.Delete(h.live, i, i+1)
	delete(h.tree, p)
	return gittest.FileChange{Path: p, Delete: true}
}
