package pipeline

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/commit-labeler/commit-labeler/internal/gittest"
)

// BenchmarkCloneLogPatch measures what the clone filter costs the extract
// phase: a clone, then `git log -p -U1` over the whole history (what extract
// reads), for a full clone and two partial clones, served over file:// with
// uploadpack.allowFilter so that the filters are honoured and missing blobs
// are fetched lazily, as from GitHub.
//
// The history is synthetic (bench.commits commits over bench.files files of
// ~bench.lines lines) unless CLONE_BENCH_REPO names a real repository (a path
// or URL git can clone), which is first copied to a bare repository here.
//
//	go test ./pipeline/ -run '^$' -bench CloneLogPatch -benchtime 3x
func BenchmarkCloneLogPatch(b *testing.B) {
	src := benchSourceURL(b)
	for _, f := range []struct{ name, filter string }{
		{"full", ""},
		{"blob-none", "blob:none"},
		{"blob-limit-1m", "blob:limit=1m"},
	} {
		b.Run(f.name, func(b *testing.B) {
			env, _ := newLoggedEnv(b, Options{Repos: []string{src}, CloneFilter: f.filter})
			var cloneTime, logTime time.Duration
			var n int
			for b.Loop() {
				n++
				env.Options.Workdir = b.TempDir()
				start := time.Now()
				if _, err := Clone(context.Background(), env); err != nil {
					b.Fatal(err)
				}
				cloneTime += time.Since(start)
				repos := storedRepos(b, env.DB)
				start = time.Now()
				for _, r := range repos {
					logPatch(b, r.ClonePath)
				}
				logTime += time.Since(start)
			}
			b.ReportMetric(cloneTime.Seconds()/float64(n), "clone-s/op")
			b.ReportMetric(logTime.Seconds()/float64(n), "log-s/op")
		})
	}
}

// logPatch reads the history with its patches, as the extract phase does.
func logPatch(b *testing.B, gitDir string) {
	cmd := exec.Command("git", "--git-dir="+gitDir, "log", "-p", "-U1", "--no-merges", "HEAD")
	cmd.Stdout = io.Discard
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		b.Fatalf("git log -p in %s: %v\n%s", gitDir, err, stderr.Bytes())
	}
}

// bench is the shape of the synthetic history.
var bench = struct{ commits, files, lines, filesPerCommit int }{commits: 300, files: 120, lines: 200, filesPerCommit: 3}

// benchSourceURL returns the file:// URL of a bare repository that allows
// filtered and lazy fetches.
func benchSourceURL(b *testing.B) string {
	dir := filepath.Join(b.TempDir(), "source.git")
	if real := os.Getenv("CLONE_BENCH_REPO"); real != "" {
		gittest.Git(b, "", "clone", "--quiet", "--bare", "--no-local", real, dir)
	} else {
		gittest.Git(b, "", "init", "--quiet", "--bare", "--initial-branch=main", dir)
		gittest.GitInput(b, dir, syntheticHistory(), "fast-import", "--quiet")
		gittest.Git(b, dir, "repack", "-adq")
	}
	gittest.Git(b, dir, "config", "uploadpack.allowFilter", "true")
	gittest.Git(b, dir, "config", "uploadpack.allowAnySHA1InWant", "true")
	return "file://" + dir
}

// syntheticHistory is a git fast-import stream: bench.commits commits on
// main, each rewriting a few lines of bench.filesPerCommit source files and
// appending to them, like ordinary development.
func syntheticHistory() []byte {
	rng := rand.New(rand.NewPCG(42, 42))
	words := strings.Fields("return err if nil func value index config buffer parse request client server label commit token cache")
	line := func() string {
		var sb strings.Builder
		for range 4 + rng.IntN(8) {
			sb.WriteString(words[rng.IntN(len(words))])
			sb.WriteByte(' ')
		}
		return sb.String()
	}
	files := make([][]string, bench.files)
	for i := range files {
		for range bench.lines {
			files[i] = append(files[i], line())
		}
	}
	var out bytes.Buffer
	data := func(s string) { fmt.Fprintf(&out, "data %d\n%s\n", len(s), s) }
	for c := range bench.commits {
		fmt.Fprintf(&out, "commit refs/heads/main\nmark :%d\ncommitter Bench <bench@example.com> %d +0000\n", c+1, 1_600_000_000+c*3600)
		data(fmt.Sprintf("feat: change %d\n\nBody of change %d.", c, c))
		if c > 0 {
			fmt.Fprintf(&out, "from :%d\n", c)
		}
		touched := bench.filesPerCommit
		if c == 0 {
			touched = bench.files
		}
		for k := range touched {
			i := k
			if c > 0 {
				i = rng.IntN(bench.files)
				for range 5 {
					files[i][rng.IntN(len(files[i]))] = line()
				}
				files[i] = append(files[i], line(), line())
			}
			fmt.Fprintf(&out, "M 100644 inline src/pkg%d/file%d.go\n", i%10, i)
			data(strings.Join(files[i], "\n") + "\n")
		}
	}
	return out.Bytes()
}
