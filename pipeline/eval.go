package pipeline

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	commitlabeler "github.com/commit-labeler/commit-labeler"
	"github.com/commit-labeler/commit-labeler/classify"
)

// EvalOptions select the records an evaluation reads.
type EvalOptions struct {
	// Repos keeps only these repositories' records (none: every record).
	Repos []string
	// ExcludeTrained drops the records of the repositories the model trained on.
	ExcludeTrained bool
	// BalancedPerLabel > 0 also scores a balanced sample: that many records
	// of each first label that has as many (classify.BalancedSample).
	BalancedPerLabel int
}

// EvalReport is the outcome of evaluating a model on a corpus file.
type EvalReport struct {
	*classify.Metrics
	// Balanced are the metrics of the balanced sample (EvalOptions.BalancedPerLabel).
	Balanced *classify.Metrics `json:"balanced,omitempty"`
	// Repos are each repository's figures, and Spread how they vary.
	Repos  map[string]RepoFigures `json:"repos"`
	Spread Spread                 `json:"spread"`
	// Kind is the evaluated model's kind.
	Kind string `json:"kind"`
	// Skipped counts the records of repositories left out by the options.
	Skipped int `json:"skipped"`
	// Seconds is the time spent reading, building features and inferring,
	// and CommitsPerSecond the evaluated records per second of it.
	Seconds          float64 `json:"seconds"`
	CommitsPerSecond float64 `json:"commits_per_second"`
}

// evalBatch is how many records one inference call scores.
const evalBatch = 256

// evalItem is a decoded record with its features, or why it is invalid.
type evalItem struct {
	example classify.Example
	skip    bool
	err     error
}

// EvaluateFiles scores model m on the records of JSON Lines files
// (gzip-compressed or not) in the schema of DATA.md: features are built from
// each record as the bot builds them (BuildFeatures masks the subject's
// header), labels are applied under the model's thresholds, and the metrics
// compare the top label with each record's first label. An invalid record
// stops the evaluation with an error naming file, line and field.
func EvaluateFiles(ctx context.Context, m classify.Model, paths []string, opts EvalOptions) (*EvalReport, error) {
	return EvaluateFolds(ctx, []classify.Model{m}, paths, opts)
}

// EvaluateFolds is EvaluateFiles over models trained on folds of the
// repositories, such as leave-organisations-out folds: each record is
// scored by the one model that did not train on its repository
// (foldRoute), and the figures pool every fold's outcomes. With a single
// model it is EvaluateFiles.
func EvaluateFolds(ctx context.Context, models []classify.Model, paths []string, opts EvalOptions) (*EvalReport, error) {
	route, err := foldRoute(models, opts)
	if err != nil {
		return nil, err
	}
	labels := models[0].Meta().Labels
	rep := &EvalReport{Kind: models[0].Meta().Kind}
	var outcomes []classify.Scored
	byRepo := make(map[string][]classify.Scored)
	start := time.Now()
	keep := func(repo string) bool { return route(repo) >= 0 }
	for _, path := range paths {
		if err := readExamples(ctx, path, keep, &rep.Skipped, func(batch []classify.Example) error {
			parts := make(map[int][]classify.Example)
			for _, e := range batch {
				parts[route(e.Repo)] = append(parts[route(e.Repo)], e)
			}
			for i, part := range parts {
				scored, err := classify.Score(ctx, models[i], part)
				if err != nil {
					return err
				}
				for j, o := range scored {
					byRepo[part[j].Repo] = append(byRepo[part[j].Repo], o)
				}
				outcomes = append(outcomes, scored...)
			}
			return nil
		}); err != nil {
			return nil, err
		}
	}
	elapsed := time.Since(start)
	if len(outcomes) == 0 {
		return nil, fmt.Errorf("eval: %s: no records to evaluate (%d left out by the repository selection)", strings.Join(paths, ", "), rep.Skipped)
	}
	rep.Metrics = classify.Evaluate(labels, outcomes)
	rep.Repos = repoFigures(labels, byRepo)
	rep.Spread = spreadOf(rep.Repos)
	if opts.BalancedPerLabel > 0 {
		rep.Balanced = classify.Evaluate(labels, classify.BalancedSample(outcomes, opts.BalancedPerLabel, 1))
	}
	rep.Seconds = elapsed.Seconds()
	rep.CommitsPerSecond = float64(len(outcomes)) / elapsed.Seconds()
	return rep, nil
}

// foldRoute returns which of models scores a repository's records (−1:
// none). A single model scores those the options select. Of several, each
// must list its training repositories and share the first's labels; a
// repository selected is scored by the one model that did not train on
// it. One that every model trained on, or that none did, is left out, and
// folds that overlap (a repository some model trained on that two did not)
// are an error.
func foldRoute(models []classify.Model, opts EvalOptions) (func(repo string) int, error) {
	if len(models) == 0 {
		return nil, errors.New("eval: no model")
	}
	if len(models) == 1 {
		keep, err := evalRepoFilter(models[0].Meta(), opts)
		if err != nil {
			return nil, err
		}
		return func(repo string) int {
			if keep(repo) {
				return 0
			}
			return -1
		}, nil
	}
	held := make(map[string]int)
	for i, m := range models {
		meta := m.Meta()
		if len(meta.TrainRepos) == 0 {
			return nil, fmt.Errorf("eval: model %d of %d (%s) lists no training repositories (train_repos): folds need them", i+1, len(models), meta.Kind)
		}
		if !slices.Equal(meta.Labels, models[0].Meta().Labels) {
			return nil, fmt.Errorf("eval: model %d of %d has labels %v, model 1 %v: folds share their labels", i+1, len(models), meta.Labels, models[0].Meta().Labels)
		}
		for _, r := range meta.TrainRepos {
			held[r] = -1
		}
	}
	for repo := range held {
		for i, m := range models {
			if slices.Contains(m.Meta().TrainRepos, repo) {
				continue
			}
			if held[repo] >= 0 {
				return nil, fmt.Errorf("eval: models %d and %d both held out %s: folds must not overlap", held[repo]+1, i+1, repo)
			}
			held[repo] = i
		}
	}
	only := make(map[string]bool, len(opts.Repos))
	for _, r := range opts.Repos {
		only[r] = true
	}
	return func(repo string) int {
		i, ok := held[repo]
		if !ok || (len(only) > 0 && !only[repo]) {
			return -1
		}
		return i
	}, nil
}

// readExamples decodes the records of path (JSON Lines in the schema of
// DATA.md, gzip-compressed or not) that keep selects, builds their
// features as the bot builds them and hands them to write in batches,
// counting the others in skipped. An invalid record stops it with an
// error naming file, line and field.
func readExamples(ctx context.Context, path string, keep func(string) bool, skipped *int, write func([]classify.Example) error) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("eval: %w", err)
	}
	defer f.Close()
	r, err := decompressed(f, path)
	if err != nil {
		return err
	}
	vocab := commitlabeler.Default()
	flow := batchFlow[importLine, evalItem]{
		Size: evalBatch,
		Transform: func(l importLine) evalItem {
			c, err := decodeImportRecord(l.data, vocab)
			if err != nil {
				return evalItem{err: fmt.Errorf("eval: %s:%d: %w", path, l.no, err)}
			}
			if !keep(c.Repo) {
				return evalItem{skip: true}
			}
			feats := classify.BuildFeatures(classifyCommit(&c.Commit))
			return evalItem{example: classify.Example{ID: c.Repo + "@" + c.Commit.SHA, Repo: c.Repo, Time: c.Commit.AuthoredUnix, Features: &feats, Labels: c.Labels}}
		},
		Write: func(items []evalItem) error {
			batch := make([]classify.Example, 0, len(items))
			for _, it := range items {
				switch {
				case it.err != nil:
					return it.err
				case it.skip:
					*skipped++
				default:
					batch = append(batch, it.example)
				}
			}
			return write(batch)
		},
	}
	return flow.Run(ctx, func(ctx context.Context, emit func(importLine) error) error {
		return readLines(r, path, emit)
	})
}

// evalRepoFilter returns whether a repository's records are evaluated.
func evalRepoFilter(meta *classify.Meta, opts EvalOptions) (func(repo string) bool, error) {
	if opts.ExcludeTrained && len(meta.TrainRepos) == 0 {
		return nil, errors.New("eval: the model's model.json lists no training repositories (train_repos): it cannot exclude them")
	}
	only := make(map[string]bool, len(opts.Repos))
	for _, r := range opts.Repos {
		only[r] = true
	}
	trained := make(map[string]bool, len(meta.TrainRepos))
	if opts.ExcludeTrained {
		for _, r := range meta.TrainRepos {
			trained[r] = true
		}
	}
	return func(repo string) bool {
		return (len(only) == 0 || only[repo]) && !trained[repo]
	}, nil
}
