// Package gittest builds real git repositories in temporary directories for
// tests: an empty repository to commit into step by step (New) and a
// canonical, deterministic history with the edge cases the pipeline must
// handle (History).
package gittest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The identities commits are made with. Author names and addresses never
// reach the store; only whether they look like a bot does.
const (
	AuthorName  = "Ada Tester"
	AuthorEmail = "ada@example.com"
	BotName     = "dependabot[bot]"
	BotEmail    = "49699333+dependabot[bot]@users.noreply.github.com"
)

// DefaultStart is the date of a new repository's first commit.
var DefaultStart = time.Date(2021, 1, 4, 9, 30, 0, 0, time.UTC)

// DefaultStep is how far the clock moves between commits made without At.
const DefaultStep = time.Hour

// Repo is a non-bare git repository with a work tree in a test's temporary
// directory. Its methods fail the test on any git error.
type Repo struct {
	// Dir is the work tree; the repository is Dir/.git.
	Dir   string
	t     testing.TB
	clock time.Time
	step  time.Duration
}

// New initialises an empty repository (branch main) in a new temporary directory.
func New(t testing.TB) *Repo {
	t.Helper()
	r := &Repo{Dir: t.TempDir(), t: t, clock: DefaultStart, step: DefaultStep}
	r.Git("init", "--quiet", "--initial-branch=main")
	// Porcelain commands run through Git (cherry-pick, merge) need an identity.
	r.Git("config", "user.name", AuthorName)
	r.Git("config", "user.email", AuthorEmail)
	return r
}

// Env is the environment every git process of this package runs with: no
// system or user configuration, so that the tester's settings (diff.noprefix,
// commit.gpgsign, ...) cannot change the repositories built.
func Env() []string {
	return append(os.Environ(),
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_CONFIG_GLOBAL=/dev/null",
		"GIT_TERMINAL_PROMPT=0",
		"LC_ALL=C",
	)
}

// Git runs git in the work tree and returns its standard output without the
// final newline.
func (r *Repo) Git(args ...string) string {
	r.t.Helper()
	return r.run(nil, nil, args...)
}

func (r *Repo) run(extraEnv []string, stdin []byte, args ...string) string {
	r.t.Helper()
	return strings.TrimSuffix(run(r.t, r.Dir, extraEnv, stdin, args...), "\n")
}

// Write creates or replaces the file at path (slash-separated, relative to
// the work tree), creating parent directories.
func (r *Repo) Write(path string, content []byte) {
	r.t.Helper()
	full := filepath.Join(r.Dir, filepath.FromSlash(path))
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		r.t.Fatalf("gittest: %v", err)
	}
	if err := os.WriteFile(full, content, 0o644); err != nil {
		r.t.Fatalf("gittest: %v", err)
	}
}

// Move renames a tracked file with git mv.
func (r *Repo) Move(from, to string) {
	r.t.Helper()
	if dir := filepath.Dir(filepath.Join(r.Dir, filepath.FromSlash(to))); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			r.t.Fatalf("gittest: %v", err)
		}
	}
	r.Git("mv", "--", from, to)
}

// CommitOption configures one commit.
type CommitOption func(*commitConfig)

type commitConfig struct {
	at          time.Time
	name, email string
	empty       bool
}

// At dates the commit (author and committer) at t, in t's zone.
func At(t time.Time) CommitOption { return func(c *commitConfig) { c.at = t } }

// By makes the commit with another author and committer.
func By(name, email string) CommitOption {
	return func(c *commitConfig) { c.name, c.email = name, email }
}

// ByBot makes the commit as dependabot.
func ByBot() CommitOption { return By(BotName, BotEmail) }

// Empty allows a commit without changes (git commit --allow-empty).
func Empty() CommitOption { return func(c *commitConfig) { c.empty = true } }

// Commit stages every change of the work tree and commits it with message,
// returning the new commit's id.
func (r *Repo) Commit(message string, opts ...CommitOption) string {
	r.t.Helper()
	c := r.commitConfig(opts)
	r.Git("add", "--all")
	args := []string{"commit", "--quiet", "--no-verify", "--cleanup=verbatim", "--file=-"}
	if c.empty {
		args = append(args, "--allow-empty")
	}
	r.run(c.env(), []byte(message), args...)
	return r.Head()
}

// Revert reverts commit sha with git revert, which writes the usual
// `Revert "<subject>"` message, and returns the new commit's id.
func (r *Repo) Revert(sha string, opts ...CommitOption) string {
	r.t.Helper()
	c := r.commitConfig(opts)
	r.run(c.env(), nil, "revert", "--no-edit", sha)
	return r.Head()
}

// Head returns the id of the current commit.
func (r *Repo) Head() string {
	r.t.Helper()
	return r.Git("rev-parse", "HEAD")
}

func (r *Repo) commitConfig(opts []CommitOption) commitConfig {
	c := commitConfig{name: AuthorName, email: AuthorEmail}
	for _, o := range opts {
		o(&c)
	}
	if c.at.IsZero() {
		c.at = r.clock
		r.clock = r.clock.Add(r.step)
	}
	return c
}

func (c commitConfig) env() []string {
	date := c.at.Format(time.RFC3339)
	return []string{
		"GIT_AUTHOR_NAME=" + c.name, "GIT_AUTHOR_EMAIL=" + c.email, "GIT_AUTHOR_DATE=" + date,
		"GIT_COMMITTER_NAME=" + c.name, "GIT_COMMITTER_EMAIL=" + c.email, "GIT_COMMITTER_DATE=" + date,
	}
}
