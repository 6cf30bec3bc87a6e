package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/commit-labeler/commit-labeler/ghapp"
	"github.com/commit-labeler/commit-labeler/store"
)

// cloneConcurrency bounds the git processes the clone phase runs at once:
// clones wait on the network, a few in parallel hide its latency.
const cloneConcurrency = 4

// Clone is the clone phase: it makes or updates a bare clone of every
// repository of Options.Repos and, with Options.Installations, of every
// repository the GitHub App's installations grant, and records them (and the
// installations) in the store. A repository that fails does not stop the
// others; the error returned names each one that failed.
//
// Counts: repositories, cloned, fetched, failed, and installations with
// Options.Installations.
func Clone(ctx context.Context, env *Env) (Counts, error) {
	counts := Counts{"repositories": 0, "cloned": 0, "fetched": 0, "failed": 0}
	if env.Options.Workdir == "" {
		return counts, errors.New("no work directory (--workdir) to clone into")
	}
	workdir, err := prepareWorkdir(env)
	if err != nil {
		return counts, err
	}
	if env.Options.Target != nil {
		counts["repositories"] = 1
		action, err := cloneTarget(ctx, env)
		if err != nil {
			counts["failed"] = 1
			return counts, err
		}
		counts[action] = 1
		return counts, nil
	}
	c := cloner{workdir: workdir, filter: env.Options.CloneFilter}

	var sources []source
	if env.Options.Installations {
		var n int
		c.clients, sources, n, err = installationSources(ctx, env)
		counts["installations"] = int64(n)
		if err != nil {
			return counts, err
		}
	}
	var errs []error
	for _, arg := range env.Options.Repos {
		s, err := parseSource(arg)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		sources = append(sources, s)
	}
	sources, dupErrs := uniqueSources(sources, env)
	errs = append(errs, dupErrs...)
	counts["repositories"] = int64(len(sources) + len(errs))
	counts["failed"] = int64(len(errs))

	progress := env.Progress("clone", len(sources))
	defer progress.Done()
	var mu sync.Mutex
	work := make(chan source)
	var wg sync.WaitGroup
	for range min(cloneConcurrency, len(sources)) {
		wg.Go(func() {
			for s := range work {
				action, err := c.sync(ctx, env, s)
				mu.Lock()
				if err != nil {
					counts["failed"]++
					errs = append(errs, err)
				} else {
					counts[action]++
				}
				mu.Unlock()
				progress.Add(1)
			}
		})
	}
	for _, s := range sources {
		if ctx.Err() != nil {
			break
		}
		work <- s
	}
	close(work)
	wg.Wait()
	if ctx.Err() != nil {
		errs = append(errs, ctx.Err())
	}
	return counts, errors.Join(errs...)
}

// installationSources lists the App's installations and their repositories,
// records them in the store, and returns the repositories to clone and how
// many installations there are.
func installationSources(ctx context.Context, env *Env) (*ghapp.Clients, []source, int, error) {
	clients, err := ghapp.New(env.Options.App)
	if err != nil {
		return nil, nil, 0, fmt.Errorf("--installations: %w", err)
	}
	insts, err := clients.InstallationRepositories(ctx, env.Log)
	if err != nil {
		return nil, nil, 0, fmt.Errorf("--installations: %w", err)
	}
	var sources []source
	for _, in := range insts {
		err := env.DB.UpsertInstallation(ctx, store.Installation{
			ID: in.ID, Account: in.Account, AccountType: in.AccountType, Suspended: in.Suspended,
		})
		if err != nil {
			return nil, nil, len(insts), err
		}
		repos := make([]store.InstallationRepository, len(in.Repositories))
		for i, r := range in.Repositories {
			repos[i] = store.InstallationRepository{InstallationID: in.ID, FullName: r.FullName(), Private: r.Private}
		}
		if err := env.DB.ReplaceInstallationRepositories(ctx, in.ID, repos); err != nil {
			return nil, nil, len(insts), err
		}
		if in.Suspended {
			env.Log.Warn("installation suspended: its repositories are skipped", "installation", in.ID, "account", in.Account)
		}
		for _, r := range in.Repositories {
			s, err := parseSource(r.CloneURL)
			if err != nil {
				return nil, nil, len(insts), fmt.Errorf("installation %d: %s: %w", in.ID, r.FullName(), err)
			}
			s.Name, s.InstallationID = r.FullName(), in.ID
			sources = append(sources, s)
		}
	}
	return clients, sources, len(insts), nil
}

// uniqueSources drops repeated sources (same name, same URL) and rejects
// different sources that would share a name or a clone directory.
func uniqueSources(sources []source, env *Env) ([]source, []error) {
	byName := map[string]source{}
	byDir := map[string]string{}
	var out []source
	var errs []error
	for _, s := range sources {
		if prev, ok := byName[s.Name]; ok {
			if sameURL(prev.URL, s.URL) && prev.Commit == s.Commit {
				env.Log.Debug("repository listed twice", "repo", s.Name, "url", s.URL)
				continue
			}
			errs = append(errs, fmt.Errorf("repository %s (%s): the name is already used by %s", s.Name, s.URL, prev.URL))
			continue
		}
		dir := cloneDirName(s.Name)
		if other, ok := byDir[dir]; ok {
			errs = append(errs, fmt.Errorf("repository %s (%s): its clone directory %s is already used by %s", s.Name, s.URL, dir, other))
			continue
		}
		byName[s.Name], byDir[dir] = s, s.Name
		out = append(out, s)
	}
	return out, errs
}

func sameURL(a, b string) bool {
	norm := func(u string) string { return strings.TrimSuffix(strings.TrimRight(u, "/"), ".git") }
	return norm(a) == norm(b)
}

// cloner makes and updates the bare clones of one work directory.
type cloner struct {
	workdir string
	// filter is git's --filter for new clones, "" for full clones.
	filter  string
	clients *ghapp.Clients
}

// sync clones or fetches s, records it in the store and returns "cloned" or
// "fetched".
func (c cloner) sync(ctx context.Context, env *Env, s source) (string, error) {
	start := time.Now()
	action, repo, err := c.update(ctx, s)
	if err != nil {
		err = fmt.Errorf("repository %s (%s): %w", s.Name, s.URL, err)
		env.Log.Warn("repository failed", "repo", s.Name, "err", err)
		return "", err
	}
	if _, err := env.DB.UpsertRepository(ctx, repo); err != nil {
		return "", err
	}
	env.Log.Info("repository "+action, "repo", s.Name, "url", s.URL, "head", repo.Head,
		"duration", time.Since(start).Round(time.Millisecond))
	return action, nil
}

// update makes a bare clone of s in the work directory, or fetches into the
// one there, and returns what it did and the repository row.
func (c cloner) update(ctx context.Context, s source) (string, store.Repository, error) {
	var token string
	if s.InstallationID != 0 {
		var err error
		if token, err = c.clients.InstallationToken(ctx, s.InstallationID); err != nil {
			return "", store.Repository{}, err
		}
	}
	git := newGitCommand(s.URL, token)
	dest := filepath.Join(c.workdir, cloneDirName(s.Name))
	action := "fetched"
	_, err := os.Stat(dest)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		action, err = "cloned", c.clone(ctx, git, s, dest)
	case err == nil:
		err = fetch(ctx, git, s, dest)
	}
	if err == nil && s.Commit != "" {
		err = pin(ctx, git, dest, s.Commit)
	}
	if err != nil {
		return "", store.Repository{}, err
	}
	// An empty repository has no HEAD commit yet: its head stays "".
	head, err := git.run(ctx, dest, "rev-parse", "--verify", "--quiet", "HEAD^{commit}")
	if ctx.Err() != nil {
		return "", store.Repository{}, err
	}
	return action, store.Repository{
		Name: s.Name, URL: s.URL, InstallationID: s.InstallationID,
		ClonePath: dest, Head: strings.TrimSpace(head),
	}, nil
}

// clone makes a bare clone (HEAD is the remote's default branch, every
// branch and tag is copied) in a temporary directory beside dest and renames
// it into place, so that an interrupted clone never looks like a clone.
func (c cloner) clone(ctx context.Context, git gitCommand, s source, dest string) error {
	tmp, release, err := makeTempClone(c.workdir, filepath.Base(dest))
	if err != nil {
		return err
	}
	defer release()
	args := []string{"clone", "--bare", "--quiet"}
	if c.filter != "" {
		args = append(args, "--filter="+c.filter)
	}
	if _, err := git.withEnv(tempCloneEnv+"="+tmp).run(ctx, "", append(args, "--", s.URL, tmp)...); err != nil {
		return err
	}
	return os.Rename(tmp, dest)
}

// pin detaches the HEAD of the bare clone at dest at commit, which the
// clone or fetch must have brought; a later fetch moves HEAD back to the
// default branch before pinning again.
func pin(ctx context.Context, git gitCommand, dest, commit string) error {
	if _, err := git.run(ctx, dest, "cat-file", "-e", commit+"^{commit}"); err != nil {
		return fmt.Errorf("pinned commit %s is not in the repository: %w", commit, err)
	}
	_, err := git.run(ctx, dest, "update-ref", "--no-deref", "HEAD", commit)
	return err
}

// fetch brings the bare clone at dest up to date with s: branches and tags
// moved, added or deleted, and HEAD following the remote's default branch.
func fetch(ctx context.Context, git gitCommand, s source, dest string) error {
	if bare, err := git.run(ctx, dest, "rev-parse", "--is-bare-repository"); err != nil || strings.TrimSpace(bare) != "true" {
		return fmt.Errorf("%s exists and is not a bare clone (%v)", dest, err)
	}
	// The source may have moved since the clone; the URL has no credentials.
	if _, err := git.run(ctx, dest, "config", "remote.origin.url", s.URL); err != nil {
		return err
	}
	refs, err := git.run(ctx, dest, "ls-remote", "--symref", "origin", "HEAD")
	if err != nil {
		return err
	}
	_, err = git.run(ctx, dest, "fetch", "--quiet", "--prune", "--no-write-fetch-head", "origin",
		"+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*")
	if err != nil {
		return err
	}
	first, _, _ := strings.Cut(refs, "\n")
	if ref, ok := strings.CutSuffix(strings.TrimPrefix(first, "ref: "), "\tHEAD"); ok && strings.HasPrefix(first, "ref: refs/heads/") {
		_, err = git.run(ctx, dest, "symbolic-ref", "HEAD", ref)
	}
	return err
}
