package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/commit-labeler/commit-labeler/classify"
	"github.com/commit-labeler/commit-labeler/ghapp"
	"github.com/commit-labeler/commit-labeler/store"
)

// PhaseLearn is the learning worker's last phase: learn one repository's
// model and publish it.
const PhaseLearn = "learn"

// Target narrows the phases to one repository (Options.Target), as a
// learn job does: clone clones or fetches it alone, extract extracts it
// alone, and the learn phase learns it.
type Target struct {
	// Repo is the repository's owner/name.
	Repo string
	// CloneURL is what git clones it from; when empty, GitHub is asked
	// (as the installation).
	CloneURL string
	// InstallationID, when set, is the GitHub App installation whose token
	// authenticates the clone (Options.App).
	InstallationID int64
}

// LearnOutcome is what a learn job did.
type LearnOutcome struct {
	// Learned says how the repository was learned and judged.
	Learned *classify.Learned
	// Version is the version published, or the newest one when
	// Unchanged.
	Version int
	// Unchanged is set when the repository's history, labels and global
	// model were those of its newest version: nothing was published.
	Unchanged bool
	// Results are the phases run, as recorded in the runs table.
	Results []Result
}

// LearnAndPublish learns one repository as the learning worker does: the
// phases of LearnPhases narrowed to it, each recorded in the runs table —
// clone it (or fetch into its clone), extract its new commits, label them
// (maintainers' corrections first, then Conventional Commits headers),
// learn its model from its labeled history and the global model, and
// publish the outcome in the store as the repository's next model
// version, accepted or not. A learn that fails or is cancelled publishes
// nothing.
func LearnAndPublish(ctx context.Context, env *Env, global classify.Model, target Target) (*LearnOutcome, error) {
	scoped := *env
	scoped.Options.Target, scoped.Global = &target, global
	results, err := RunPhases(ctx, &scoped, LearnPhases)
	out := &LearnOutcome{Results: results}
	if err != nil {
		return out, fmt.Errorf("learn %s: %w", target.Repo, err)
	}
	last := results[len(results)-1].Counts
	out.Version, out.Unchanged = int(last[CountVersion]), last["unchanged"] == 1
	rec, _, err := env.DB.RepositoryModel(ctx, target.Repo, out.Version)
	if err != nil {
		return out, err
	}
	if err := json.Unmarshal(rec.Report, &out.Learned); err != nil {
		return out, fmt.Errorf("learn %s: report of version %d: %w", target.Repo, out.Version, err)
	}
	return out, nil
}

// cloneTarget clones or fetches Options.Target into the work directory,
// records it in the store and returns "cloned" or "fetched".
func cloneTarget(ctx context.Context, env *Env) (string, error) {
	t := env.Options.Target
	s := source{Name: t.Repo, URL: t.CloneURL, InstallationID: t.InstallationID}
	workdir, err := prepareWorkdir(env)
	if err != nil {
		return "", err
	}
	c := cloner{workdir: workdir, filter: env.Options.CloneFilter}
	if s.InstallationID != 0 {
		if c.clients, err = ghapp.New(env.Options.App); err != nil {
			return "", fmt.Errorf("installation %d of %s: %w", s.InstallationID, s.Name, err)
		}
	}
	if s.URL == "" {
		if s, err = c.cloneURL(ctx, s); err != nil {
			return "", err
		}
	}
	return c.sync(ctx, env, s)
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

// CountVersion is the learn phase's count of the version it published.
const CountVersion = "version"

// Learn is the learn phase: it learns Options.Target's model from its
// labeled commits in the store and Env.Global, and publishes the outcome.
func Learn(ctx context.Context, env *Env) (Counts, error) {
	target := env.Options.Target
	switch {
	case target == nil:
		return nil, errors.New("no repository to learn (a learn job names one)")
	case env.Global == nil:
		return nil, errors.New("no global model to learn from")
	}
	opts := classify.LearnOptions{PrecisionTarget: env.Options.PrecisionTarget}.WithDefaults()
	history, err := repositoryExamples(ctx, env, target.Repo, opts, nil)
	if err != nil {
		return nil, err
	}
	inputs := learnInputs(env.Global, history, opts)
	newest, learned, err := env.DB.RepositoryModel(ctx, target.Repo, 0)
	if err != nil {
		return nil, err
	}
	if learned && newest.Inputs == inputs {
		// Learning is deterministic: the same inputs would publish the same
		// model again under a new version, which the bots would reload.
		return Counts{"commits": int64(len(history)), "labeled": int64(newest.Commits), "accepted": boolCount(newest.Accepted),
			"unchanged": 1, CountVersion: int64(newest.Version)}, nil
	}
	dir, err := os.MkdirTemp("", "commit-labeler-learn-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	modelDir := filepath.Join(dir, "model")
	out, err := LearnRepository(ctx, env.Global, target.Repo, history, modelDir, opts)
	if err != nil {
		return nil, err
	}
	counts := Counts{"commits": int64(len(history)), "labeled": int64(out.Commits), "accepted": boolCount(out.Accepted), "unchanged": 0}
	rec := store.RepositoryModel{Repo: target.Repo, Accepted: out.Accepted, Commits: out.Commits, Inputs: inputs}
	if out.Accepted {
		if rec.Files, err = classify.ArchiveDir(modelDir); err != nil {
			return counts, err
		}
	}
	if rec.Report, err = json.Marshal(out); err != nil {
		return counts, err
	}
	// The last step: a learn cancelled before it publishes nothing.
	if err := ctx.Err(); err != nil {
		return counts, err
	}
	version, err := env.DB.PublishRepositoryModel(ctx, rec)
	if err != nil {
		return counts, err
	}
	counts[CountVersion] = int64(version)
	return counts, nil
}

// boolCount is a yes/no count: 1 or 0.
func boolCount(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// learnInputs digests what a repository model is learned from: the
// learning rules, the global model, the options and every labeled commit
// with its labels (a commit's features follow from its SHA). Equal
// digests learn equal models.
func learnInputs(global classify.Model, history []classify.Example, opts classify.LearnOptions) string {
	h := sha256.New()
	fmt.Fprintf(h, "rules %s\nglobal %s\nprecision target %v\n", classify.LearnRules, global.Meta().Fingerprint, opts.PrecisionTarget)
	ids := make([]string, len(history))
	for i, e := range history {
		ids[i] = fmt.Sprintf("%s %s %v", e.ID, strings.Join(e.Labels, ","), e.Weight)
	}
	slices.Sort(ids)
	for _, id := range ids {
		fmt.Fprintln(h, id)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// repositoryExamples reads a repository's commits with their effective
// labels (a maintainer's over a header's) as examples, features built as
// the bot builds them and weighed by the source of their labels
// (sourceWeight), and hands each labeled commit to each (when set) with
// that source.
func repositoryExamples(ctx context.Context, env *Env, repo string, opts classify.LearnOptions, each func(c *store.Commit, source string)) ([]classify.Example, error) {
	effective, err := env.DB.EffectiveLabels(ctx)
	if err != nil {
		return nil, err
	}
	byCommit := make(map[int64]store.EffectiveLabel, len(effective))
	for _, e := range effective {
		byCommit[e.CommitID] = e
	}
	var examples []classify.Example
	err = env.DB.ForEachCommit(ctx, store.CommitFilter{Repo: repo}, func(c *store.Commit) error {
		e := byCommit[c.ID]
		if len(e.Labels) == 0 {
			return nil
		}
		labels := make([]string, len(e.Labels))
		for i, l := range e.Labels {
			labels[i] = l.Label
		}
		f := classify.BuildFeatures(classifyCommit(c))
		examples = append(examples, classify.Example{ID: repo + "@" + c.SHA, Repo: repo, Time: c.AuthoredUnix, Features: &f, Labels: labels, Weight: sourceWeight(opts, e.Source)})
		if each != nil {
			each(c, e.Source)
		}
		return nil
	})
	return examples, err
}

// sourceWeight is the weight learning gives a commit whose labels come
// from source: a maintainer's correction and a merged pull request's
// labels are judgements a maintainer made, a header one an author made.
func sourceWeight(opts classify.LearnOptions, source string) float64 {
	switch source {
	case store.SourceHuman:
		return opts.CorrectionWeight
	case store.SourcePullRequest:
		return opts.PullRequestWeight
	}
	return 1
}

// LearnRepository learns repository repo's own model from its labeled
// history and the global model into dir (classify.LearnRepository): the
// one code path of the learning worker and of train eval --warm.
func LearnRepository(ctx context.Context, global classify.Model, repo string, history []classify.Example, dir string, opts classify.LearnOptions) (*classify.Learned, error) {
	opts.Repository = repo
	return classify.LearnRepository(ctx, global, history, dir, opts)
}
