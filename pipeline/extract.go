package pipeline

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/commit-labeler/commit-labeler/store"
)

// Counters of the extract phase.
const (
	CountRepositories          = "repositories"
	CountCommitsListed         = "commits_listed"
	CountAdded                 = "added"
	CountAlreadyPresent        = "already_present"
	CountSkippedMissingObjects = "skipped_missing_objects"
	CountSkippedShallow        = "skipped_shallow"
)

// extractBatch is how many commits one transaction writes: a killed run
// loses at most one uncommitted batch and leaves no half rows. A variable so
// that tests can cut a small history into several batches.
var extractBatch = 500

// Extract is the extract phase: for every cloned repository it lists the
// non-merge commits of HEAD (newest first, Options.Since and
// Options.MaxCommits applied), leaves out those already stored and those at
// a shallow clone's boundary, and stores the rest as parsed from one git log
// process. A commit git cannot show (missing objects) is skipped and
// counted; the stream is restarted after it.
func Extract(ctx context.Context, env *Env) (Counts, error) {
	counts := Counts{
		CountRepositories: 0, CountCommitsListed: 0, CountAdded: 0, CountAlreadyPresent: 0,
		CountSkippedMissingObjects: 0, CountSkippedShallow: 0,
	}
	repos, err := env.DB.Repositories(ctx)
	if err != nil {
		return counts, err
	}
	for _, repo := range repos {
		if repo.ClonePath == "" || env.Options.Target != nil && repo.Name != env.Options.Target.Repo {
			continue
		}
		x := &repoExtractor{env: env, repo: repo, counts: counts}
		if err := x.run(ctx); err != nil {
			return counts, fmt.Errorf("repository %s: %w", repo.Name, err)
		}
		counts[CountRepositories]++
	}
	return counts, nil
}

// repoExtractor extracts one repository.
type repoExtractor struct {
	env      *Env
	repo     store.Repository
	counts   Counts
	progress Progress
}

func (x *repoExtractor) run(ctx context.Context) error {
	listed, err := x.listCommits(ctx)
	if err != nil {
		return err
	}
	x.counts[CountCommitsListed] += int64(len(listed))
	present, err := x.env.DB.CommitSHAs(ctx, x.repo.ID)
	if err != nil {
		return err
	}
	shallow, err := x.shallowBoundary(ctx)
	if err != nil {
		return err
	}
	todo := make([]string, 0, len(listed))
	for _, sha := range listed {
		switch _, stored := present[sha]; {
		case stored:
			x.counts[CountAlreadyPresent]++
		case shallow[sha]:
			x.counts[CountSkippedShallow]++
			x.env.Log.Info("skipped commit at the shallow boundary", "repo", x.repo.Name, "commit", sha)
		default:
			todo = append(todo, sha)
		}
	}
	if len(todo) == 0 {
		return nil
	}
	x.progress = x.env.Progress("extract "+x.repo.Name, len(todo))
	defer x.progress.Done()
	return x.extract(ctx, todo)
}

// extract streams todo through git log, restarting after a commit git
// cannot show. When git dies, the commit it was on is unknown if its header
// came out complete, so it is retried alone before being skipped.
func (x *repoExtractor) extract(ctx context.Context, todo []string) error {
	alone := false
	for len(todo) > 0 {
		run := todo
		if alone {
			run = todo[:1]
		}
		written, gitErr, err := x.stream(ctx, run)
		if err != nil {
			return err
		}
		todo = todo[written:]
		switch {
		case gitErr == nil || written > 0:
			alone = false
		case len(run) == 1:
			x.counts[CountSkippedMissingObjects]++
			x.progress.Add(1)
			x.env.Log.Warn("skipped commit git cannot show", "repo", x.repo.Name, "commit", todo[0], "err", gitErr)
			todo = todo[1:]
			alone = false
		default:
			alone = true
		}
	}
	return nil
}

// stream runs git log over shas and writes the commits it shows in
// batches. It returns how many leading shas were written; gitErr is set when
// git failed on a missing or corrupt object, err for anything else.
func (x *repoExtractor) stream(ctx context.Context, shas []string) (written int, gitErr, err error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cmd := x.git(ctx, gitLogArgs()...)
	cmd.Stdin = strings.NewReader(strings.Join(shas, "\n") + "\n")
	stderr := &tailBuffer{max: 4096}
	cmd.Stderr = stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return 0, nil, err
	}
	if err := cmd.Start(); err != nil {
		return 0, nil, fmt.Errorf("start git log: %w", err)
	}
	parsed := make(chan *store.Commit, 256)
	var parseErr error
	go func() {
		defer close(parsed)
		p := NewGitLogParser(stdout, x.env.Options.DiffLimit)
		for {
			c, err := p.Next()
			if err != nil {
				if err != io.EOF {
					parseErr = err
					io.Copy(io.Discard, stdout) // let git finish or fail on its own
				}
				return
			}
			select {
			case parsed <- c:
			case <-ctx.Done():
				io.Copy(io.Discard, stdout)
				return
			}
		}
	}()

	// A commit is written once the next one starts: only then is its patch
	// known to be complete.
	var batch []*store.Commit
	var pending *store.Commit
	seen := 0
	var writeErr error
	for c := range parsed {
		if writeErr != nil {
			continue
		}
		if seen >= len(shas) || c.SHA != shas[seen] {
			writeErr = fmt.Errorf("git log showed commit %s out of the requested order", c.SHA)
			cancel()
			continue
		}
		seen++
		if pending != nil {
			batch = append(batch, pending)
		}
		pending = c
		if len(batch) == extractBatch {
			if writeErr = x.write(ctx, batch); writeErr != nil {
				cancel()
				continue
			}
			written += len(batch)
			batch = batch[:0]
		}
	}
	waitErr := cmd.Wait()
	if writeErr != nil {
		return written, nil, writeErr
	}
	if err := ctx.Err(); err != nil {
		return written, nil, err
	}
	if waitErr != nil {
		if !isMissingObject(stderr.String()) {
			return written, nil, fmt.Errorf("git log: %w: %s", waitErr, stderr.String())
		}
		// pending may be cut short: it is retried, not written.
		if err := x.write(ctx, batch); err != nil {
			return written, nil, err
		}
		return written + len(batch), fmt.Errorf("git log: %w: %s", waitErr, strings.TrimSpace(stderr.String())), nil
	}
	if parseErr != nil {
		return written, nil, parseErr
	}
	if pending != nil {
		batch = append(batch, pending)
	}
	if seen != len(shas) {
		return written, nil, fmt.Errorf("git log showed %d of %d commits", seen, len(shas))
	}
	if err := x.write(ctx, batch); err != nil {
		return written, nil, err
	}
	return written + len(batch), nil, nil
}

// write stores a batch in one transaction and counts it once committed.
func (x *repoExtractor) write(ctx context.Context, batch []*store.Commit) error {
	if len(batch) == 0 {
		return nil
	}
	added := 0
	err := x.env.DB.Tx(ctx, func(tx *sql.Tx) error {
		w, err := store.NewCommitWriter(ctx, tx)
		if err != nil {
			return err
		}
		defer w.Close()
		added = 0
		for _, c := range batch {
			c.RepoID = x.repo.ID
			isNew, err := w.Insert(c)
			if err != nil {
				return err
			}
			if isNew {
				added++
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	x.counts[CountAdded] += int64(added)
	x.counts[CountAlreadyPresent] += int64(len(batch) - added)
	x.progress.Add(len(batch))
	return nil
}

// listCommits returns the non-merge commits of HEAD, newest first, authored
// at or after Options.Since, at most Options.MaxCommits of them. An empty
// repository has none.
func (x *repoExtractor) listCommits(ctx context.Context) ([]string, error) {
	if err := x.git(ctx, "rev-parse", "--verify", "--quiet", "HEAD^{commit}").Run(); err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) && exit.ExitCode() == 1 {
			return nil, nil // no commit yet
		}
		return nil, fmt.Errorf("git rev-parse HEAD: %w", err)
	}
	out, err := x.output(ctx, "rev-list", "--no-merges", "--no-commit-header", "--format=%H %at", "HEAD", "--")
	if err != nil {
		return nil, err
	}
	since := x.env.Options.Since
	limit := x.env.Options.MaxCommits
	var shas []string
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		sha, at, ok := strings.Cut(sc.Text(), " ")
		unix, err := strconv.ParseInt(at, 10, 64)
		if !ok || err != nil || !isObjectID(sha) {
			return nil, fmt.Errorf("git rev-list: unexpected line %q", sc.Text())
		}
		if !since.IsZero() && unix < since.Unix() {
			continue
		}
		shas = append(shas, sha)
		if limit > 0 && len(shas) == limit {
			break
		}
	}
	return shas, nil
}

// shallowBoundary returns the commits listed in the shallow file: their
// parents are missing, so git would diff them against the empty tree.
func (x *repoExtractor) shallowBoundary(ctx context.Context) (map[string]bool, error) {
	out, err := x.output(ctx, "rev-parse", "--git-path", "shallow")
	if err != nil {
		return nil, err
	}
	path := strings.TrimSpace(string(out))
	if !filepath.IsAbs(path) {
		path = filepath.Join(x.repo.ClonePath, path)
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	shallow := make(map[string]bool)
	for _, sha := range strings.Fields(string(data)) {
		shallow[sha] = true
	}
	return shallow, nil
}

// git returns a git command in the repository with messages in English
// (missing objects are recognised by them) and no prompts.
func (x *repoExtractor) git(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", x.repo.ClonePath}, args...)...)
	cmd.Env = append(os.Environ(), "LC_ALL=C", "GIT_TERMINAL_PROMPT=0")
	return cmd
}

func (x *repoExtractor) output(ctx context.Context, args ...string) ([]byte, error) {
	cmd := x.git(ctx, args...)
	stderr := &tailBuffer{max: 4096}
	cmd.Stderr = stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("git %s: %w: %s", args[0], err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

// isMissingObject reports whether git's error output says an object is
// missing or corrupt, the failures a commit is skipped for.
func isMissingObject(stderr string) bool {
	for _, s := range []string{"unable to read", "bad object", "missing blob", "missing tree", "is corrupt", "invalid object", "inflate"} {
		if strings.Contains(stderr, s) {
			return true
		}
	}
	return false
}

// tailBuffer keeps the last max bytes written, for error messages.
type tailBuffer struct {
	max int
	b   []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.b = append(t.b, p...)
	if len(t.b) > t.max {
		t.b = append(t.b[:0], t.b[len(t.b)-t.max:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string { return string(t.b) }
