package perf

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/commit-labeler/commit-labeler/pipeline"
	"github.com/commit-labeler/commit-labeler/store"
)

// ExtractComparison is one extract of a repository beside plain git
// producing the same patches.
type ExtractComparison struct {
	// Commits is the number of non-merge commits of the repository.
	Commits int
	// Git is the time of `git log --no-merges -p -U1 -M --numstat` into
	// io.Discard; Extract the time of the extract phase (git log stream,
	// parsing, SQLite writes into a real file).
	Git, Extract time.Duration
}

// GitPerSecond and ExtractPerSecond are the commits per second of each.
func (c ExtractComparison) GitPerSecond() float64 { return float64(c.Commits) / c.Git.Seconds() }
func (c ExtractComparison) ExtractPerSecond() float64 {
	return float64(c.Commits) / c.Extract.Seconds()
}

// CompareExtract times plain git and then the extract phase into a new
// store in dir, on the same repository repo, and checks the phase stored
// every commit.
func CompareExtract(ctx context.Context, repo, dir string) (ExtractComparison, error) {
	var c ExtractComparison
	out, err := exec.CommandContext(ctx, "git", "-C", repo, "rev-list", "--count", "--no-merges", "HEAD").Output()
	if err != nil {
		return c, fmt.Errorf("perf: git rev-list in %s: %w", repo, err)
	}
	if c.Commits, err = strconv.Atoi(strings.TrimSpace(string(out))); err != nil {
		return c, fmt.Errorf("perf: git rev-list in %s: %w", repo, err)
	}

	start := time.Now()
	cmd := exec.CommandContext(ctx, "git", "-C", repo, "log", "--no-merges", "-p", "-U1", "-M", "--numstat", "HEAD")
	cmd.Stdout = io.Discard
	if err := cmd.Run(); err != nil {
		return c, fmt.Errorf("perf: git log in %s: %w", repo, err)
	}
	c.Git = time.Since(start)

	if err := os.MkdirAll(dir, 0o755); err != nil {
		return c, fmt.Errorf("perf: %w", err)
	}
	dbPath := filepath.Join(dir, "extract.db")
	os.Remove(dbPath)
	db, err := store.Open(ctx, dbPath)
	if err != nil {
		return c, fmt.Errorf("perf: %s: %w", dbPath, err)
	}
	defer db.Close()
	if _, err := db.UpsertRepository(ctx, store.Repository{Name: "bench/" + filepath.Base(repo), URL: repo, ClonePath: repo}); err != nil {
		return c, fmt.Errorf("perf: %w", err)
	}
	env := &pipeline.Env{DB: db, Options: pipeline.DefaultOptions(), Log: slog.New(slog.DiscardHandler), Progress: pipeline.NoProgress}
	start = time.Now()
	counts, err := pipeline.Extract(ctx, env)
	if err != nil {
		return c, fmt.Errorf("perf: extract %s: %w", repo, err)
	}
	c.Extract = time.Since(start)
	if counts[pipeline.CountAdded] != int64(c.Commits) {
		return c, fmt.Errorf("perf: extract %s stored %d of %d commits: %v", repo, counts[pipeline.CountAdded], c.Commits, counts)
	}
	return c, nil
}
