package perf

import (
	"errors"
	"fmt"
	"go/build"
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
	"time"

	"github.com/commit-labeler/commit-labeler/internal/gittest"
)

// ExtractCommits is the size of the generated repository the extract
// benchmark and the bench command measure on.
const ExtractCommits = 3000

// ErrNoGoSource is returned when GOROOT/src cannot feed a generated history
// (a Go installation without its sources).
var ErrNoGoSource = errors.New("perf: the Go source tree is unusable")

// GoSourceRepository returns $BENCH_REPO or builds (once, cached under the
// user cache directory) a bare repository of commits commits that add and
// edit the Go source files of GOROOT, like ordinary development.
func GoSourceRepository(commits int) (string, error) {
	if p := os.Getenv("BENCH_REPO"); p != "" {
		return p, nil
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("perf: %w", err)
	}
	dir := filepath.Join(cache, "commit-labeler", "bench", fmt.Sprintf("go-src-%s-%d.git", runtime.Version(), commits))
	if _, err := os.Stat(dir); err == nil {
		return dir, nil
	}
	sources, err := goSources()
	if err != nil {
		return "", err
	}
	tmp := dir + ".tmp" + strconv.Itoa(os.Getpid())
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return "", fmt.Errorf("perf: %w", err)
	}
	defer os.RemoveAll(tmp)
	if out, err := exec.Command("git", "init", "--quiet", "--bare", "--initial-branch=main", tmp).CombinedOutput(); err != nil {
		return "", fmt.Errorf("perf: git init %s: %w\n%s", tmp, err, out)
	}
	var stream gittest.FastImport
	newSourceHistory(sources).write(&stream, commits)
	if _, err := stream.Import(tmp); err != nil {
		return "", fmt.Errorf("perf: %w", err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		return "", fmt.Errorf("perf: %w", err)
	}
	return dir, nil
}

// goSources reads the Go files of GOROOT/src under 40 kB, by path.
func goSources() (map[string][]string, error) {
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
		return nil, fmt.Errorf("%w: %s has %d usable files (%v)", ErrNoGoSource, root, len(files), err)
	}
	return files, nil
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

// newSourceHistory starts a history that adds the sources in path order.
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

// benchSubjects are the Conventional Commits types of the subjects.
var benchSubjects = []string{"feat", "fix", "refactor", "docs", "test", "perf", "chore", "build", "style"}

// write appends commits commits of the history to stream.
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

// add adds the next pending source file.
func (h *sourceHistory) add() gittest.FileChange {
	p := h.pending[0]
	h.pending = h.pending[1:]
	h.tree[p] = slices.Clone(h.sources[p])
	h.live = append(h.live, p)
	return h.change(p)
}

// change is the file change writing p as it is now.
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

// rename moves a live file under moved/.
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

// remove deletes a live file.
func (h *sourceHistory) remove() gittest.FileChange {
	i := h.rng.IntN(len(h.live))
	p := h.live[i]
	h.live = slices.Delete(h.live, i, i+1)
	delete(h.tree, p)
	return gittest.FileChange{Path: p, Delete: true}
}
