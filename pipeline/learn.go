package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/commit-labeler/commit-labeler/classify"
	"github.com/commit-labeler/commit-labeler/ghapp"
	"github.com/commit-labeler/commit-labeler/store"
)

// PhaseLearn is the learning worker's last phase: learn one repository's
// model and publish it.
const PhaseLearn = "learn"

// LearnRequest names the repository a learn job learns.
type LearnRequest struct {
	// Repo is the repository's owner/name.
	Repo string
	// CloneURL is what git clones it from.
	CloneURL string
	// InstallationID, when set, is the GitHub App installation whose token
	// authenticates the clone (Options.App).
	InstallationID int64
}

// LearnOutcome is what a learn job did.
type LearnOutcome struct {
	// Learned says how the repository was learned and judged.
	Learned *classify.Learned
	// Version is the version published.
	Version int
	// Results are the phases run, as recorded in the runs table.
	Results []Result
}

// LearnAndPublish learns one repository as the learning worker does, each
// phase recorded in the runs table: clone it (or fetch into its clone),
// extract its new commits, label them (maintainers' corrections first,
// then Conventional Commits headers), learn its model from its labeled
// history and the global model, and publish the outcome in the store as
// the repository's next model version, accepted or not. A learn that
// fails or is cancelled publishes nothing.
func LearnAndPublish(ctx context.Context, env *Env, global classify.Model, req LearnRequest) (*LearnOutcome, error) {
	out := &LearnOutcome{}
	var repo store.Repository
	phases := []struct {
		name string
		fn   PhaseFunc
	}{
		{PhaseClone, func(ctx context.Context, env *Env) (Counts, error) {
			var err error
			repo, err = cloneOne(ctx, env, source{Name: req.Repo, URL: req.CloneURL, InstallationID: req.InstallationID})
			return Counts{"repositories": 1}, err
		}},
		{PhaseExtract, func(ctx context.Context, env *Env) (Counts, error) {
			counts := Counts{}
			return counts, extractRepositories(ctx, env, []store.Repository{repo}, counts)
		}},
		{PhaseLabel, Label},
		{PhaseLearn, func(ctx context.Context, env *Env) (Counts, error) {
			return learnPhase(ctx, env, global, req.Repo, out)
		}},
	}
	for _, p := range phases {
		res, err := RunPhase(ctx, env, p.name, p.fn)
		out.Results = append(out.Results, res)
		if err != nil {
			return out, fmt.Errorf("learn %s: %w", req.Repo, err)
		}
	}
	return out, nil
}

// cloneOne clones or fetches one repository into the work directory and
// records it in the store.
func cloneOne(ctx context.Context, env *Env, s source) (store.Repository, error) {
	workdir, err := filepath.Abs(env.Options.Workdir)
	if err == nil {
		err = os.MkdirAll(workdir, 0o755)
	}
	if err != nil {
		return store.Repository{}, fmt.Errorf("work directory %s: %w", env.Options.Workdir, err)
	}
	c := cloner{workdir: workdir, filter: env.Options.CloneFilter}
	if s.InstallationID != 0 {
		if c.clients, err = ghapp.New(env.Options.App); err != nil {
			return store.Repository{}, fmt.Errorf("installation %d of %s: %w", s.InstallationID, s.Name, err)
		}
	}
	if s.URL == "" {
		if s, err = c.cloneURL(ctx, s); err != nil {
			return store.Repository{}, err
		}
	}
	if _, err := c.sync(ctx, env, s); err != nil {
		return store.Repository{}, err
	}
	return env.DB.RepositoryByName(ctx, s.Name)
}

// cloneURL asks GitHub, as the installation, where s clones from: the
// installation events that ask for a repository to be learned do not say.
func (c cloner) cloneURL(ctx context.Context, s source) (source, error) {
	owner, name, ok := strings.Cut(s.Name, "/")
	if c.clients == nil || !ok {
		return s, fmt.Errorf("repository %s: no clone URL, and no installation to ask GitHub for it", s.Name)
	}
	gh, err := c.clients.Installation(s.InstallationID)
	if err != nil {
		return s, err
	}
	r, _, err := gh.Repositories.Get(ctx, owner, name)
	if err != nil {
		return s, fmt.Errorf("repository %s: clone URL: %w", s.Name, err)
	}
	parsed, err := parseSource(r.GetCloneURL())
	if err != nil {
		return s, fmt.Errorf("repository %s: clone URL: %w", s.Name, err)
	}
	s.URL = parsed.URL
	return s, nil
}

// learnPhase learns the repository from its labeled commits in the store
// and publishes the outcome.
func learnPhase(ctx context.Context, env *Env, global classify.Model, repo string, out *LearnOutcome) (Counts, error) {
	history, err := repositoryExamples(ctx, env, repo)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "commit-labeler-learn-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	modelDir := filepath.Join(dir, "model")
	learned, err := LearnRepository(ctx, global, repo, history, modelDir, classify.LearnOptions{PrecisionTarget: env.Options.PrecisionTarget})
	if err != nil {
		return nil, err
	}
	out.Learned = learned
	counts := Counts{"commits": int64(len(history)), "labeled": int64(learned.Commits), "accepted": 0}
	rec := store.RepositoryModel{Repo: repo, Accepted: learned.Accepted, Commits: learned.Commits}
	if learned.Accepted {
		counts["accepted"] = 1
		if rec.Files, err = classify.ArchiveDir(modelDir); err != nil {
			return counts, err
		}
	}
	if rec.Report, err = json.Marshal(learned); err != nil {
		return counts, err
	}
	// The last step: a learn cancelled before it publishes nothing.
	if err := ctx.Err(); err != nil {
		return counts, err
	}
	if out.Version, err = env.DB.PublishRepositoryModel(ctx, rec); err != nil {
		return counts, err
	}
	counts["version"] = int64(out.Version)
	return counts, nil
}

// repositoryExamples reads a repository's commits with their effective
// labels (a maintainer's over a header's) as examples, features built as
// the bot builds them.
func repositoryExamples(ctx context.Context, env *Env, repo string) ([]classify.Example, error) {
	labels, err := effectiveLabelNames(ctx, env)
	if err != nil {
		return nil, err
	}
	var examples []classify.Example
	err = env.DB.ForEachCommit(ctx, store.CommitFilter{Repo: repo}, func(c *store.Commit) error {
		if ls := labels[c.ID]; len(ls) > 0 {
			f := classify.BuildFeatures(classifyCommit(c))
			examples = append(examples, classify.Example{ID: repo + "@" + c.SHA, Repo: repo, Time: c.AuthoredUnix, Features: &f, Labels: ls})
		}
		return nil
	})
	return examples, err
}

// LearnRepository learns repository repo's own model from its labeled
// history and the global model into dir (classify.LearnRepository): the
// one code path of the learning worker and of train eval --warm.
func LearnRepository(ctx context.Context, global classify.Model, repo string, history []classify.Example, dir string, opts classify.LearnOptions) (*classify.Learned, error) {
	opts.Repository = repo
	return classify.LearnRepository(ctx, global, history, dir, opts)
}
