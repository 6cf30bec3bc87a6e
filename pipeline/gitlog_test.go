package pipeline

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/commit-labeler/commit-labeler/classify"
	"github.com/commit-labeler/commit-labeler/internal/gittest"
	"github.com/commit-labeler/commit-labeler/store"
)

// gitOutput runs git in dir and returns its standard output.
func gitOutput(t testing.TB, dir string, stdin string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	cmd.Env = gittest.Env()
	cmd.Stdin = strings.NewReader(stdin)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return out
}

// gitLogStream returns the raw stream Extract parses for the non-merge
// commits of HEAD.
func gitLogStream(t testing.TB, dir string) []byte {
	t.Helper()
	shas := gitOutput(t, dir, "", "rev-list", "--no-merges", "HEAD")
	return gitOutput(t, dir, string(shas), gitLogArgs()...)
}

func parseAll(t testing.TB, stream []byte, diffLimit int) []*store.Commit {
	t.Helper()
	p := NewGitLogParser(bytes.NewReader(stream), diffLimit)
	var out []*store.Commit
	for {
		c, err := p.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, c)
	}
}

// gitStats is what git log --numstat and --name-status say about a commit.
type gitStats struct {
	files                []store.File
	additions, deletions int
}

// gitFileStats reads --numstat and --name-status of the commits git shows
// with command ("log --no-merges HEAD", "show <sha>...") in NUL-separated
// output, the reference the parser must agree with.
func gitFileStats(t testing.TB, dir string, command ...string) map[string]*gitStats {
	t.Helper()
	stats := make(map[string]*gitStats)
	tokens := func(flag string) func(func(sha string, tok []string) bool) {
		args := append([]string{"-c", "core.quotepath=false", command[0], "-M", "-z", "--format=%x01%H", flag}, command[1:]...)
		out := gitOutput(t, dir, "", args...)
		return func(yield func(string, []string) bool) {
			var sha string
			var toks []string
			for _, tok := range strings.Split(string(out), "\x00") {
				tok = strings.TrimPrefix(tok, "\n")
				if strings.HasPrefix(tok, "\x01") {
					if sha != "" && !yield(sha, toks) {
						return
					}
					sha, toks = tok[1:], nil
					continue
				}
				if tok != "" || len(toks) > 0 && strings.HasSuffix(toks[len(toks)-1], "\t") {
					toks = append(toks, tok)
				}
			}
			if sha != "" {
				yield(sha, toks)
			}
		}
	}
	for sha, toks := range tokens("--name-status") {
		s := &gitStats{}
		for i := 0; i < len(toks); i++ {
			f := store.File{Status: toks[i][:1]}
			if f.Status == "R" || f.Status == "C" {
				f.OldPath, f.Path = toks[i+1], toks[i+2]
				i += 2
			} else {
				f.Path = toks[i+1]
				i++
			}
			s.files = append(s.files, f)
		}
		stats[sha] = s
	}
	for sha, toks := range tokens("--numstat") {
		s := stats[sha]
		n := 0
		for i := 0; i < len(toks); i++ {
			fields := strings.SplitN(toks[i], "\t", 3)
			if fields[2] == "" {
				i += 2 // rename: old and new path follow
			}
			f := &s.files[n]
			n++
			if fields[0] == "-" {
				f.Binary = true
				continue
			}
			f.Additions, _ = strconv.Atoi(fields[0])
			f.Deletions, _ = strconv.Atoi(fields[1])
			s.additions += f.Additions
			s.deletions += f.Deletions
		}
	}
	return stats
}

// TestGitLogParserAgreesWithGit checks every commit of the fixture against
// git's own --numstat, --name-status and patch-id --stable.
func TestGitLogParserAgreesWithGit(t *testing.T) {
	f := gittest.History(t)
	commits := parseAll(t, gitLogStream(t, f.Dir), 0)
	if len(commits) != gittest.HistoryCommits {
		t.Fatalf("parsed %d commits, want %d", len(commits), gittest.HistoryCommits)
	}
	stats := gitFileStats(t, f.Dir, "log", "--no-merges", "HEAD")
	patch := gitOutput(t, f.Dir, "", append(append([]string{}, gitLogConfig...),
		"log", "--no-merges", "-p", "-U1", "-M", "--full-index", "--no-color", "HEAD")...)
	patchIDs := make(map[string]string)
	for _, line := range strings.Split(strings.TrimSpace(string(gitOutput(t, f.Dir, string(patch), "patch-id", "--stable"))), "\n") {
		id, sha, _ := strings.Cut(line, " ")
		patchIDs[sha] = id
	}
	for _, c := range commits {
		want := stats[c.SHA]
		if want == nil {
			t.Fatalf("commit %s not listed by git", c.SHA)
		}
		if c.FilesChanged != len(want.files) || c.Additions != want.additions || c.Deletions != want.deletions {
			t.Errorf("%s: files/additions/deletions = %d/%d/%d, git says %d/%d/%d", c.SHA,
				c.FilesChanged, c.Additions, c.Deletions, len(want.files), want.additions, want.deletions)
		}
		if wantFiles := want.files[:min(len(want.files), MaxStoredFiles)]; !reflect.DeepEqual(c.Files, wantFiles) && len(c.Files)+len(wantFiles) > 0 {
			t.Errorf("%s: files\n got %+v\nwant %+v", c.SHA, c.Files, wantFiles)
		}
		if c.PatchID != patchIDs[c.SHA] {
			t.Errorf("%s: patch id %q, git patch-id --stable says %q", c.SHA, c.PatchID, patchIDs[c.SHA])
		}
		if len(c.Diff) > classify.DiffLimit {
			t.Errorf("%s: diff of %d characters", c.SHA, len(c.Diff))
		}
	}
}

func TestGitLogParserNotableCommits(t *testing.T) {
	f := gittest.History(t)
	bySHA := make(map[string]*store.Commit)
	for _, c := range parseAll(t, gitLogStream(t, f.Dir), 0) {
		bySHA[c.SHA] = c
	}
	get := func(name string) *store.Commit { return bySHA[f.SHA(name)] }
	onlyFile := func(t *testing.T, c *store.Commit, want store.File) {
		t.Helper()
		if len(c.Files) != 1 || c.Files[0] != want {
			t.Errorf("files %+v, want [%+v]", c.Files, want)
		}
	}
	t.Run("rename without change", func(t *testing.T) {
		c := get(gittest.CommitRenamePure)
		onlyFile(t, c, store.File{Path: "src/helpers.go", OldPath: "src/util.go", Status: "R"})
		want := "diff --git a/src/util.go b/src/helpers.go\nsimilarity index 100%\nrename from src/util.go\nrename to src/helpers.go"
		if c.Diff != want {
			t.Errorf("diff %q, want %q", c.Diff, want)
		}
	})
	t.Run("rename with change", func(t *testing.T) {
		c := get(gittest.CommitRenameEdit)
		onlyFile(t, c, store.File{Path: "src/text.go", OldPath: "src/strings.go", Status: "R", Additions: 1, Deletions: 1})
		if !strings.Contains(c.Diff, "--- a/src/strings.go\n+++ b/src/text.go\n@@ ") {
			t.Errorf("diff %q", c.Diff)
		}
	})
	t.Run("binary", func(t *testing.T) {
		c := get(gittest.CommitBinaryAdd)
		onlyFile(t, c, store.File{Path: "assets/logo.png", Status: "A", Binary: true})
		if want := "diff --git a/assets/logo.png b/assets/logo.png\nnew file mode 100644\nBinary files /dev/null and b/assets/logo.png differ"; c.Diff != want {
			t.Errorf("diff %q, want %q", c.Diff, want)
		}
		onlyFile(t, get(gittest.CommitBinaryChange), store.File{Path: "assets/logo.png", Status: "M", Binary: true})
	})
	t.Run("non-ascii", func(t *testing.T) {
		c := get(gittest.CommitNonASCII)
		if c.Subject != "fix: résumé für Ümlaute" || !strings.HasPrefix(c.Body, "Die Übersetzung") {
			t.Errorf("subject %q body %q", c.Subject, c.Body)
		}
		onlyFile(t, c, store.File{Path: "docs/über.md", Status: "A", Additions: 3})
		if !strings.HasPrefix(c.Diff, "diff --git a/docs/über.md b/docs/über.md\n") {
			t.Errorf("diff %q", c.Diff)
		}
	})
	t.Run("paths with space and quote", func(t *testing.T) {
		onlyFile(t, get(gittest.CommitSpacePath), store.File{Path: "docs/release notes.md", Status: "A", Additions: 3})
		onlyFile(t, get(gittest.CommitQuotedPath), store.File{Path: `testdata/say "hi".txt`, Status: "A", Additions: 1})
	})
	t.Run("empty", func(t *testing.T) {
		c := get(gittest.CommitEmpty)
		if c.FilesChanged != 0 || len(c.Files) != 0 || c.Diff != "" || c.PatchID != "" {
			t.Errorf("empty commit parsed as %+v", c)
		}
	})
	t.Run("revert", func(t *testing.T) {
		c := get(gittest.CommitRevert)
		if c.Subject != `Revert "feat: add experimental cache"` || !strings.HasPrefix(c.Body, "This reverts commit "+f.SHA(gittest.CommitReverted)) {
			t.Errorf("subject %q body %q", c.Subject, c.Body)
		}
		onlyFile(t, c, store.File{Path: "src/cache.go", Status: "D", Deletions: 12})
	})
	t.Run("trailers and addresses", func(t *testing.T) {
		c := get(gittest.CommitTrailers)
		if want := "Reported by <email> on the mailing list."; c.Body != want {
			t.Errorf("body %q, want %q", c.Body, want)
		}
	})
	t.Run("bot", func(t *testing.T) {
		if !get(gittest.CommitBot).AuthorIsBot || get(gittest.CommitTrailers).AuthorIsBot {
			t.Error("bot flag wrong")
		}
	})
	t.Run("long line", func(t *testing.T) {
		c := get(gittest.CommitLongLine)
		if !strings.Contains(c.Diff, "\n+"+strings.Repeat("0123456789", 100)[:classify.DiffLineLimit-1]+" [...]\n") {
			t.Errorf("long line not shortened: %q", c.Diff)
		}
		onlyFile(t, c, store.File{Path: "data/long.txt", Status: "A", Additions: 3})
	})
	t.Run("many files", func(t *testing.T) {
		c := get(gittest.CommitManyFiles)
		if c.FilesChanged != gittest.HistoryManyFiles || len(c.Files) != MaxStoredFiles || c.Additions != gittest.HistoryManyFiles {
			t.Errorf("files_changed %d, %d files kept, %d additions", c.FilesChanged, len(c.Files), c.Additions)
		}
		if len(c.Diff) > classify.DiffLimit || len(c.Diff) < classify.DiffLimit-200 {
			t.Errorf("diff of %d characters", len(c.Diff))
		}
	})
	t.Run("mode and type change", func(t *testing.T) {
		onlyFile(t, get(gittest.CommitModeChange), store.File{Path: "scripts/build.sh", Status: "M"})
		onlyFile(t, get(gittest.CommitTypeChange), store.File{Path: "docs/latest.md", Status: "T", Additions: 1, Deletions: 3})
	})
	t.Run("deletion", func(t *testing.T) {
		onlyFile(t, get(gittest.CommitDelete), store.File{Path: "docs/obsolete.md", Status: "D", Deletions: 3})
	})
	t.Run("date", func(t *testing.T) {
		c := get(gittest.CommitRoot)
		if c.AuthoredAt == "" || !strings.Contains(c.AuthoredAt, "T") || c.AuthoredUnix <= 0 {
			t.Errorf("date %q %d", c.AuthoredAt, c.AuthoredUnix)
		}
	})
}

// TestPatchIDSurvivesCherryPick checks that the same change made at other
// line numbers, as a cherry-pick onto a diverged branch does, keeps its id.
func TestPatchIDSurvivesCherryPick(t *testing.T) {
	r := gittest.New(t)
	lines := make([]string, 20)
	for i := range lines {
		lines[i] = fmt.Sprintf("line %d", i)
	}
	file := func(l []string) []byte { return []byte(strings.Join(l, "\n") + "\n") }
	r.Write("f.txt", file(lines))
	r.Commit("base\n")
	r.Git("branch", "other")
	changed := slices.Clone(lines)
	changed[15] = "line fifteen"
	r.Write("f.txt", file(changed))
	picked := r.Commit("fix: fifteen\n")
	r.Git("checkout", "--quiet", "other")
	r.Write("f.txt", file(append([]string{"header"}, lines...)))
	r.Commit("feat: header\n")
	r.Git("cherry-pick", picked)
	ids := make(map[string]string)
	for _, c := range parseAll(t, gitLogStream(t, r.Dir), 0) {
		ids[c.Subject] = c.PatchID
	}
	if ids["fix: fifteen"] == "" || ids["fix: fifteen"] == ids["feat: header"] {
		t.Fatalf("patch ids %v", ids)
	}
	main := parseAll(t, gitOutput(t, r.Dir, picked+"\n", gitLogArgs()...), 0)[0]
	if main.PatchID != ids["fix: fifteen"] {
		t.Errorf("cherry-pick patch id %s, original %s", ids["fix: fifteen"], main.PatchID)
	}
}

func TestGitLogParserDiffLimit(t *testing.T) {
	f := gittest.History(t)
	for _, c := range parseAll(t, gitLogStream(t, f.Dir), 500) {
		if len(c.Diff) > 500 {
			t.Fatalf("%s: diff of %d characters with limit 500", c.SHA, len(c.Diff))
		}
	}
}

// TestGitLogParserCorpusFormat feeds the diffs of the corpus sample through
// the parser: where a record's diff is complete, the parser must rebuild the
// same diff text, file list and totals.
func TestGitLogParserCorpusFormat(t *testing.T) {
	data, err := os.Open(corpusSample)
	if errors.Is(err, os.ErrNotExist) {
		t.Skip("../shared/data absent: " + corpusSample)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer data.Close()
	type record struct {
		SHA   string `json:"sha"`
		Date  string `json:"date"`
		Diff  string `json:"diff"`
		Files []struct {
			Path      string `json:"path"`
			OldPath   string `json:"old_path"`
			Status    string `json:"status"`
			Additions int    `json:"additions"`
			Deletions int    `json:"deletions"`
			Binary    bool   `json:"binary"`
		} `json:"files"`
		FilesChanged int `json:"files_changed"`
		Additions    int `json:"additions"`
		Deletions    int `json:"deletions"`
	}
	sc := bufio.NewScanner(data)
	sc.Buffer(nil, 1<<24)
	checked := 0
	for sc.Scan() {
		var r record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(r.Diff, "(content not available)") {
			continue
		}
		stream := fmt.Sprintf("\x00%s\x00n\x00e\x00%s\x00subject\n\x00\n\n%s\n", r.SHA, r.Date, r.Diff)
		c := parseAll(t, []byte(stream), 0)[0]
		if c.FilesChanged != r.FilesChanged || c.Additions != r.Additions || c.Deletions != r.Deletions {
			continue // the record's diff was cut: the parser saw only part of it
		}
		checked++
		if c.Diff != r.Diff {
			t.Errorf("%s: diff differs\n got %q\nwant %q", r.SHA, c.Diff, r.Diff)
		}
		var want []store.File
		for _, f := range r.Files {
			want = append(want, store.File(f))
		}
		if !reflect.DeepEqual(c.Files, want) {
			t.Errorf("%s: files\n got %+v\nwant %+v", r.SHA, c.Files, r.Files)
		}
	}
	if checked < 50 {
		t.Errorf("only %d complete records checked", checked)
	}
	t.Logf("%d complete corpus records agree", checked)
}

func TestGitLogParserErrorsNameTheCommit(t *testing.T) {
	const sha = "0123456789abcdef0123456789abcdef01234567"
	for _, tc := range []struct{ name, stream, want string }{
		{"garbage first", "hello\n", "expected a commit header"},
		{"bad id", "\x00xyz\x00n\x00e\x002021-01-01T00:00:00Z\x00m\x00\n", "malformed commit id"},
		{"cut header", "\x00" + sha + "\x00n\x00e", "commit " + sha + ": header cut short"},
		{"bad date", "\x00" + sha + "\x00n\x00e\x00yesterday\x00m\x00\n", "commit " + sha + ": author date"},
		{"line before file", "\x00" + sha + "\x00n\x00e\x002021-01-01T00:00:00Z\x00m\x00\n\n+x\n", "commit " + sha + ": unexpected line"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewGitLogParser(strings.NewReader(tc.stream), 0).Next()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestSplitDiffGitLine(t *testing.T) {
	for _, tc := range []struct{ in, old, new string }{
		{"a/x b/x", "x", "x"},
		{"a/with space b/with space", "with space", "with space"},
		{"a/a b/c b/a b/c", "a b/c", "a b/c"},
		{`"a/say \"hi\"" "b/say \"hi\""`, `say "hi"`, `say "hi"`},
		{`"a/tab\there" b/plain`, "tab\there", "plain"},
		{"a/old b/new", "old", "new"},
		{`"a/\303\274ber" "b/\303\274ber"`, "über", "über"},
	} {
		old, new := splitDiffGitLine(tc.in)
		if old != tc.old || new != tc.new {
			t.Errorf("splitDiffGitLine(%q) = %q, %q; want %q, %q", tc.in, old, new, tc.old, tc.new)
		}
	}
}

func FuzzParseGitLog(f *testing.F) {
	r := gittest.New(f)
	r.Write("a.txt", []byte("one\ntwo\n"))
	r.Write("b c.txt", []byte("x\n"))
	r.Commit("feat: add\n\nbody\n\nSigned-off-by: A <a@example.com>\n")
	r.Write("a.txt", []byte("one\n2\nthree"))
	r.Move("b c.txt", `q"d.txt`)
	r.Write("logo.png", []byte("\x89PNG\x00\x01"))
	r.Commit("fix: change\n")
	r.Commit("chore: nothing\n", gittest.Empty())
	f.Add(gitLogStream(f, r.Dir))
	f.Add([]byte("\x00" + strings.Repeat("a", 40) + "\x00n\x00e\x002021-01-01T00:00:00+01:00\x00m\x00\n\ndiff --git a/x b/x\n@@ -1,1000000 +1 @@\n-x\n"))
	f.Add([]byte("\x00\x00\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, stream []byte) {
		p := NewGitLogParser(bytes.NewReader(stream), 200)
		for range len(stream) + 1 {
			c, err := p.Next()
			if err == io.EOF {
				return
			}
			if err != nil {
				if !strings.HasPrefix(err.Error(), "git log: ") {
					t.Fatalf("error without context: %v", err)
				}
				return
			}
			if len(c.Diff) > 200 || len(c.Files) > MaxStoredFiles || c.FilesChanged < len(c.Files) {
				t.Fatalf("commit %s out of bounds: diff %d, files %d/%d", c.SHA, len(c.Diff), len(c.Files), c.FilesChanged)
			}
		}
		t.Fatal("parser did not stop")
	})
}
