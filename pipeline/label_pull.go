package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/google/go-github/v93/github"

	commitlabeler "github.com/commit-labeler/commit-labeler"
	"github.com/commit-labeler/commit-labeler/classify"
	"github.com/commit-labeler/commit-labeler/ghapp"
	"github.com/commit-labeler/commit-labeler/repoconfig"
	"github.com/commit-labeler/commit-labeler/store"
)

// pullLabelerVersion changes when the pull request labeler's rules do.
const pullLabelerVersion = "pull-1"

// pullLabeler gives the commit each merged pull request made (its merge,
// squash or last rebased commit) the pull request's labels, mapped into
// the vocabulary through the repository's label mapping
// (.github/commit-labeler.yml, read from the clone), or else its title's
// Conventional Commits header: source pull_request. Labels the bot itself
// applied are left out: a model must not learn from its own guesses. It
// runs for a learn job's repository on an installation (Options.Target,
// labelersFor). The first job reads every closed pull request; later ones
// read, most recently updated first, those updated since the last reading
// (a label changed, a title edited), and every one again when the rules
// changed: this version or the repository's label mapping. A reading
// stops at ghapp.MaxClosedPulls: pull requests beyond a repository's
// 10,000 most recently updated are not read.
type pullLabeler struct{ vocab *commitlabeler.Vocabulary }

func (pullLabeler) source() string { return store.SourcePullRequest }

func (l pullLabeler) run(ctx context.Context, env *Env, t tally) error {
	target := env.Options.Target
	owner, name, _ := strings.Cut(target.Repo, "/")
	clients, err := ghapp.New(env.Options.App)
	if err != nil {
		return err
	}
	gh, err := clients.Installation(target.InstallationID)
	if err != nil {
		return err
	}
	cfg, rules, err := l.repositoryConfig(ctx, env, target.Repo)
	if err != nil {
		// The mapping decides which label a pull request's labels become:
		// read under the defaults, a repository that mapped {fix: bug}
		// would teach its model the labels it opted out of. The pull
		// requests are read again once the file is valid (its hash is in
		// the rules).
		env.Log.Warn("invalid repository configuration: pull request labels not read until it is fixed", "repo", target.Repo, "err", err)
		return nil
	}
	last, err := env.DB.PullReading(ctx, target.Repo)
	if err != nil {
		return err
	}
	since := last.Through
	if last.Rules != rules {
		since = time.Time{}
	}
	ids, err := env.DB.CommitIDs(ctx, target.Repo)
	if err != nil {
		return err
	}
	var (
		batch []store.Labeling
		read  = store.PullReading{Through: last.Through, Rules: rules}
	)
	list := ghapp.List{Name: "closed pull requests of " + target.Repo, Cap: ghapp.MaxClosedPulls}
	pages := func(p ghapp.Page) ([]*github.PullRequest, *github.Response, error) {
		return gh.PullRequests.List(ctx, owner, name, &github.PullRequestListOptions{
			State: "closed", Sort: "updated", Direction: "desc", ListOptions: github.ListOptions{Page: p.Number, PerPage: ghapp.PageSize},
		})
	}
	for pr, err := range ghapp.ReadList(ctx, env.Log, list, pages) {
		if err != nil {
			return fmt.Errorf("pull requests of %s: %w", target.Repo, err)
		}
		updated := pr.GetUpdatedAt().Time
		if updated.Before(since) {
			break // read by an earlier job, and unchanged since
		}
		if updated.After(read.Through) {
			read.Through = updated
		}
		t.add("read", 1)
		id, ok := ids[pr.GetMergeCommitSHA()]
		if pr.MergedAt == nil || !ok {
			continue
		}
		labels, err := l.labels(ctx, env, target.Repo, pr, cfg)
		if err != nil {
			return err
		}
		if len(labels) == 0 {
			t.add("none", 1)
			continue
		}
		batch = append(batch, store.Labeling{CommitID: id, Source: store.SourcePullRequest, LabelerVersion: pullLabelerVersion, Labels: labels})
	}
	if err := env.DB.PutPullLabelings(ctx, target.Repo, batch, read); err != nil {
		return err
	}
	t.stored(batch)
	return nil
}

// labels are a merged pull request's labels: those a maintainer put on it
// that the mapping knows, else its title header's.
func (l pullLabeler) labels(ctx context.Context, env *Env, repo string, pr *github.PullRequest, cfg repoconfig.Config) ([]store.CommitLabel, error) {
	st, _, err := env.DB.PullState(ctx, repo, pr.GetNumber())
	if err != nil {
		return nil, err
	}
	var out []store.CommitLabel
	for _, gl := range pr.Labels {
		name, ok := cfg.VocabularyLabel(gl.GetName())
		if !ok || st.Labels[name].State == store.PullLabelBotApplied {
			continue
		}
		out = append(out, store.CommitLabel{Label: name, Confidence: 1, Reason: "pull request label " + gl.GetName()})
	}
	if len(out) > 0 {
		return out, nil
	}
	if h, ok := classify.ParseHeader(pr.GetTitle()); ok {
		for _, name := range h.Labels(l.vocab) {
			out = append(out, store.CommitLabel{Label: name, Confidence: 1, Reason: "pull request title"})
		}
	}
	return out, nil
}

// repositoryConfig reads the repository's configuration from its clone's
// default branch; without a valid one, the defaults (labels.json's names).
// rules names what pull requests are labeled by: this labeler's version
// and the configuration file's contents.
func (l pullLabeler) repositoryConfig(ctx context.Context, env *Env, repo string) (cfg repoconfig.Config, rules string, err error) {
	rules = pullLabelerVersion
	r, err := env.DB.RepositoryByName(ctx, repo)
	if err != nil {
		return repoconfig.Default(l.vocab), rules, nil
	}
	data, err := newGitCommand("", "").run(ctx, r.ClonePath, "show", "HEAD:"+repoconfig.Path)
	if err != nil {
		return repoconfig.Default(l.vocab), rules, nil // no configuration file
	}
	sum := sha256.Sum256([]byte(data))
	rules += " " + hex.EncodeToString(sum[:8])
	cfg, err = repoconfig.Parse([]byte(data), l.vocab)
	return cfg, rules, err
}
