package pipeline

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/commit-labeler/commit-labeler/internal/gittest"
	"github.com/commit-labeler/commit-labeler/store"
)

func extract(t testing.TB, env *Env) Counts {
	t.Helper()
	counts, err := Extract(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	return counts
}

// dumpCorpus renders the commits and commit_files tables row by row.
func dumpCorpus(t testing.TB, db *store.DB) []string {
	t.Helper()
	return dumpRows(t, db,
		`SELECT id, repo_id, sha, authored_at, authored_unix, subject, body, files_changed, additions, deletions, diff, patch_id, author_is_bot FROM commits ORDER BY id`,
		`SELECT commit_id, position, path, old_path, status, additions, deletions, binary FROM commit_files ORDER BY commit_id, position`)
}

func TestExtractHistory(t *testing.T) {
	f := gittest.History(t)
	env := newTestEnv(t, f.Dir)
	wantCounts(t, extract(t, env), Counts{
		CountRepositories: 1, CountCommitsListed: gittest.HistoryCommits, CountAdded: gittest.HistoryCommits,
		CountAlreadyPresent: 0, CountSkippedMissingObjects: 0, CountSkippedShallow: 0,
	})
	stored := storedCommits(t, env.DB)
	if len(stored) != gittest.HistoryCommits {
		t.Fatalf("%d commits stored, want %d", len(stored), gittest.HistoryCommits)
	}
	// What is stored is what the parser read from git.
	for _, c := range parseAll(t, gitLogStream(t, f.Dir), 0) {
		s := stored[c.SHA]
		if s == nil {
			t.Fatalf("commit %s not stored", c.SHA)
		}
		c.ID, c.RepoID, c.Repo = s.ID, s.RepoID, s.Repo
		if !reflect.DeepEqual(c, s) {
			t.Errorf("commit %s stored as\n%+v\nparsed as\n%+v", c.SHA, s, c)
		}
	}
	// Field by field against git show on the notable commits.
	var names []string
	for _, n := range []string{gittest.CommitRenamePure, gittest.CommitRenameEdit, gittest.CommitBinaryAdd, gittest.CommitNonASCII,
		gittest.CommitQuotedPath, gittest.CommitTypeChange, gittest.CommitRevert, gittest.CommitDelete, gittest.CommitRoot} {
		names = append(names, f.SHA(n))
	}
	for sha, want := range gitFileStats(t, f.Dir, append([]string{"show"}, names...)...) {
		s := stored[sha]
		if s.FilesChanged != len(want.files) || s.Additions != want.additions || s.Deletions != want.deletions || !reflect.DeepEqual(s.Files, want.files) {
			t.Errorf("%s: stored %d files %+v (+%d -%d), git show says %+v (+%d -%d)", sha, s.FilesChanged, s.Files,
				s.Additions, s.Deletions, want.files, want.additions, want.deletions)
		}
	}
	if c := stored[f.SHA(gittest.CommitEmpty)]; c.Diff != "" || c.FilesChanged != 0 {
		t.Errorf("empty commit stored as %+v", c)
	}
}

func TestExtractIsIncremental(t *testing.T) {
	f := gittest.History(t)
	env := newTestEnv(t, f.Dir)
	extract(t, env)
	wantCounts(t, extract(t, env), Counts{CountCommitsListed: gittest.HistoryCommits, CountAdded: 0, CountAlreadyPresent: gittest.HistoryCommits})

	f.Write("NEWS.md", []byte("# News\n"))
	sha := f.Commit("docs: add news\n", gittest.At(time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)))
	wantCounts(t, extract(t, env), Counts{CountCommitsListed: gittest.HistoryCommits + 1, CountAdded: 1, CountAlreadyPresent: gittest.HistoryCommits})
	if c := storedCommits(t, env.DB)[sha]; c == nil || c.Subject != "docs: add news" || c.AuthoredAt != "2025-01-02T03:04:05Z" && c.AuthoredAt != "2025-01-02T03:04:05+00:00" {
		t.Errorf("new commit stored as %+v", c)
	}
}

func TestExtractSinceAndMaxCommits(t *testing.T) {
	f := gittest.History(t)
	since := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	var wantSince []string
	for _, line := range strings.Split(f.Git("rev-list", "--no-merges", "--format=%H %at", "--no-commit-header", "HEAD"), "\n") {
		sha, at, _ := strings.Cut(line, " ")
		if unix, _ := strconv.ParseInt(at, 10, 64); unix >= since.Unix() {
			wantSince = append(wantSince, sha)
		}
	}
	if len(wantSince) < 10 || len(wantSince) >= gittest.HistoryCommits {
		t.Fatalf("fixture has %d commits since %v", len(wantSince), since)
	}
	for _, tc := range []struct {
		name  string
		since time.Time
		max   int
		want  []string
	}{
		{"since", since, 0, wantSince},
		{"max commits", time.Time{}, 7, strings.Split(f.Git("rev-list", "--no-merges", "--max-count=7", "HEAD"), "\n")},
		{"both", since, 3, wantSince[:3]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := newTestEnv(t, f.Dir)
			env.Options.Since, env.Options.MaxCommits = tc.since, tc.max
			wantCounts(t, extract(t, env), Counts{CountCommitsListed: int64(len(tc.want)), CountAdded: int64(len(tc.want))})
			got := slices.Sorted(func(yield func(string) bool) {
				for sha := range storedCommits(t, env.DB) {
					yield(sha)
				}
			})
			if want := slices.Sorted(slices.Values(tc.want)); !slices.Equal(got, want) {
				t.Errorf("stored %v, want %v", got, want)
			}
		})
	}
}

func TestExtractSkipsCommitsWithMissingObjects(t *testing.T) {
	r := gittest.New(t)
	var shas []string
	for i, step := range []struct{ path, content string }{
		{"a.txt", "a1\n"}, {"b.txt", "lost\n"}, {"a.txt", "a2\n"}, {"b.txt", "lost, changed\n"}, {"a.txt", "a3\n"},
	} {
		r.Write(step.path, []byte(step.content))
		shas = append(shas, r.Commit(fmt.Sprintf("feat: step %d\n", i)))
	}
	blob := r.Git("rev-parse", shas[1]+":b.txt")
	if err := os.Remove(filepath.Join(r.Dir, ".git", "objects", blob[:2], blob[2:])); err != nil {
		t.Fatal(err)
	}
	env := newTestEnv(t, r.Dir)
	wantCounts(t, extract(t, env), Counts{CountCommitsListed: 5, CountAdded: 3, CountSkippedMissingObjects: 2})
	stored := storedCommits(t, env.DB)
	for i, sha := range shas {
		if _, ok := stored[sha]; ok == (i == 1 || i == 3) {
			t.Errorf("commit %d (%s) stored: %v", i, sha, ok)
		}
	}
	// The skipped commits are listed again, and skipped again, on a rerun.
	wantCounts(t, extract(t, env), Counts{CountAdded: 0, CountAlreadyPresent: 3, CountSkippedMissingObjects: 2})
}

func TestExtractShallowClone(t *testing.T) {
	f := gittest.History(t)
	clone := filepath.Join(t.TempDir(), "shallow.git")
	f.Git("clone", "--quiet", "--bare", "--depth", "20", "file://"+f.Dir, clone)
	boundary := strings.Fields(f.Git("-C", clone, "rev-parse", "--git-path", "shallow"))
	data, err := os.ReadFile(filepath.Join(clone, boundary[0]))
	if err != nil {
		t.Fatal(err)
	}
	shallow := strings.Fields(string(data))
	listed := len(strings.Fields(f.Git("-C", clone, "rev-list", "--no-merges", "HEAD")))
	nonMergeBoundary := len(strings.Fields(f.Git(append([]string{"-C", clone, "rev-list", "--no-walk", "--no-merges"}, shallow...)...)))
	if nonMergeBoundary == 0 {
		t.Fatal("no non-merge commit at the shallow boundary")
	}
	env := newTestEnv(t, clone)
	counts := extract(t, env)
	wantCounts(t, counts, Counts{CountCommitsListed: int64(listed), CountSkippedShallow: int64(nonMergeBoundary),
		CountAdded: int64(listed - nonMergeBoundary), CountSkippedMissingObjects: 0})

	// Commits inside the shallow history are stored exactly as from the full repository.
	full := newTestEnv(t, f.Dir)
	extract(t, full)
	fullCommits := storedCommits(t, full.DB)
	for sha, c := range storedCommits(t, env.DB) {
		want := fullCommits[sha]
		c.ID, c.Repo = want.ID, want.Repo
		if !reflect.DeepEqual(c, want) {
			t.Errorf("commit %s differs between the shallow and the full clone", sha)
		}
	}
}

// cancelAfter cancels a context once n items are reported done.
type cancelAfter struct {
	n, done int
	cancel  context.CancelFunc
}

func (c *cancelAfter) Add(n int) {
	if c.done += n; c.done >= c.n {
		c.cancel()
	}
}

func (c *cancelAfter) Done() {}

func TestExtractCancelledThenRerunEqualsCleanRun(t *testing.T) {
	defer func(n int) { extractBatch = n }(extractBatch)
	extractBatch = 40
	f := gittest.History(t)

	clean := newTestEnv(t, f.Dir)
	extract(t, clean)

	env := newTestEnv(t, f.Dir)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	env.Progress = func(string, int) Progress { return &cancelAfter{n: 2 * extractBatch, cancel: cancel} }
	if _, err := Extract(ctx, env); !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "test/repo0") {
		t.Fatalf("cancelled extract returned %v", err)
	}
	n, err := env.DB.CountCommits(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if n%int64(extractBatch) != 0 || n == 0 || n >= gittest.HistoryCommits {
		t.Errorf("cancelled run left %d commits, want whole batches of %d", n, extractBatch)
	}
	env.Progress = NoProgress
	wantCounts(t, extract(t, env), Counts{CountAdded: gittest.HistoryCommits - n, CountAlreadyPresent: n})
	if got, want := dumpCorpus(t, env.DB), dumpCorpus(t, clean.DB); !slices.Equal(got, want) {
		t.Errorf("cancelled and rerun corpus (%d rows) differs from a clean run (%d rows)", len(got), len(want))
	}
}

func TestExtractEmptyAndBrokenRepositories(t *testing.T) {
	empty := gittest.New(t)
	env := newTestEnv(t, empty.Dir)
	wantCounts(t, extract(t, env), Counts{CountRepositories: 1, CountCommitsListed: 0})

	broken := newTestEnv(t, t.TempDir())
	_, err := Extract(context.Background(), broken)
	if err == nil || !strings.Contains(err.Error(), "repository test/repo0") {
		t.Errorf("extract of a directory without git returned %v", err)
	}
}

// The patch id of a stored diff text equals the full patch's id whenever the
// text was not cut (nor a line of it) and holds no binary file, so imported and extracted
// commits of the same change are recognised as duplicates.
func TestDiffTextPatchIDMatchesFullPatch(t *testing.T) {
	fx := gittest.History(t)
	env := newTestEnv(t, fx.Dir)
	extract(t, env)
	compared := 0
	for sha, c := range storedCommits(t, env.DB) {
		if len(c.Diff) > 3000 || strings.Contains(c.Diff, "\nBinary files ") || strings.Contains(c.Diff, " [...]\n") || c.FilesChanged != len(c.Files) {
			continue
		}
		if got := diffTextPatchID(c.Diff); got != c.PatchID {
			t.Errorf("commit %s: diff-text patch id %q, full-patch id %q", sha, got, c.PatchID)
		}
		compared++
	}
	if compared < 100 {
		t.Fatalf("only %d commits compared", compared)
	}
	if id := diffTextPatchID(""); id != "" {
		t.Fatalf("empty diff has patch id %q, want none", id)
	}
}
