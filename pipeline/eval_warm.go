package pipeline

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/commit-labeler/commit-labeler/classify"
)

// WarmOptions tune EvaluateWarm.
type WarmOptions struct {
	// Repos keeps only these repositories' records (none: every record).
	Repos []string
	// TrainShare is the oldest share of each repository's records that
	// is its history (DefaultWarmTrainShare); the rest is scored.
	TrainShare float64
	// Learn tunes how each repository is learned.
	Learn classify.LearnOptions
	// Corrections is the share of the history's commits, of those the
	// global model applied a wrong label to, taken as corrected by a
	// maintainer (weighHistory).
	Corrections float64
	// Workdir holds the repository models while they are scored (a
	// temporary directory when empty); they are removed after.
	Workdir string
	// Progress, when set, is told of each repository evaluated.
	Progress func(WarmRepo)
}

// DefaultWarmTrainShare is the share of a repository's commits, oldest
// first, that EvaluateWarm learns from.
const DefaultWarmTrainShare = 0.7

// WarmReport is how a global model and the repository models learned from
// it score on each repository's newest commits.
type WarmReport struct {
	// Global and Served pool every repository's newest commits: Global as
	// the global model labels them, Served as what serves each repository
	// (its model where accepted, else the global model).
	Global *classify.Metrics `json:"global"`
	Served *classify.Metrics `json:"served"`
	// Repos are the repositories one by one, in name order.
	Repos []WarmRepo `json:"repos"`
	// Skipped counts the records left out by the repository selection.
	Skipped int `json:"skipped"`
	// Seconds is the whole evaluation's time.
	Seconds float64 `json:"seconds"`
}

// WarmRepo is one repository of a warm evaluation.
type WarmRepo struct {
	Repo   string            `json:"repo"`
	Global *classify.Metrics `json:"global"`
	Served *classify.Metrics `json:"served"`
	// Accepted says whether the repository model serves it.
	Accepted bool `json:"accepted"`
	// Learned is how the repository was learned and judged.
	Learned *classify.Learned `json:"learned"`
	// LearnSeconds is the time learning took.
	LearnSeconds float64 `json:"learn_seconds"`
}

// EvaluateWarm measures what learning each repository brings: for every
// repository of the records, the oldest TrainShare of its commits (by
// author date) is its history, learned from the global model by
// LearnRepository, the learning worker's code path; its newest commits
// are scored by the global model and by what serves the repository after
// learning.
func EvaluateWarm(ctx context.Context, global classify.Model, paths []string, opts WarmOptions) (*WarmReport, error) {
	start := time.Now()
	if opts.TrainShare == 0 {
		opts.TrainShare = DefaultWarmTrainShare
	}
	if opts.TrainShare <= 0 || opts.TrainShare >= 1 {
		return nil, fmt.Errorf("eval --warm: train share %v is not between 0 and 1", opts.TrainShare)
	}
	keep, err := evalRepoFilter(global.Meta(), EvalOptions{Repos: opts.Repos})
	if err != nil {
		return nil, err
	}
	rep := &WarmReport{}
	byRepo := make(map[string][]classify.Example)
	for _, path := range paths {
		if err := readExamples(ctx, path, keep, &rep.Skipped, func(batch []classify.Example) error {
			for _, e := range batch {
				byRepo[e.Repo] = append(byRepo[e.Repo], e)
			}
			return nil
		}); err != nil {
			return nil, err
		}
	}
	if len(byRepo) == 0 {
		return nil, fmt.Errorf("eval --warm: %s: no records to evaluate (%d left out by the repository selection)", strings.Join(paths, ", "), rep.Skipped)
	}
	workdir := opts.Workdir
	if workdir == "" {
		if workdir, err = os.MkdirTemp("", "commit-labeler-warm-"); err != nil {
			return nil, err
		}
		defer os.RemoveAll(workdir)
	}
	labels := global.Meta().Labels
	var globalAll, servedAll []classify.Scored
	for _, repo := range slices.Sorted(maps.Keys(byRepo)) {
		examples := byRepo[repo]
		slices.SortStableFunc(examples, func(a, b classify.Example) int {
			return cmp.Or(cmp.Compare(a.Time, b.Time), strings.Compare(a.ID, b.ID))
		})
		cut := int(math.Round(float64(len(examples)) * opts.TrainShare))
		history, newest := examples[:cut], examples[cut:]
		if len(newest) == 0 {
			continue
		}
		if history, err = weighHistory(ctx, global, history, opts.Corrections, opts.Learn); err != nil {
			return nil, fmt.Errorf("eval --warm: %s: %w", repo, err)
		}
		r, globalOut, servedOut, err := warmRepo(ctx, global, repo, history, newest, filepath.Join(workdir, strings.ReplaceAll(repo, "/", "_")), opts.Learn)
		if err != nil {
			return nil, err
		}
		r.Global, r.Served = classify.Evaluate(labels, globalOut), classify.Evaluate(labels, servedOut)
		globalAll, servedAll = append(globalAll, globalOut...), append(servedAll, servedOut...)
		rep.Repos = append(rep.Repos, r)
		if opts.Progress != nil {
			opts.Progress(r)
		}
	}
	rep.Global, rep.Served = classify.Evaluate(labels, globalAll), classify.Evaluate(labels, servedAll)
	rep.Seconds = time.Since(start).Seconds()
	return rep, nil
}

// warmRepo learns one repository from its history and scores its newest
// commits with the global model and with what serves it.
func warmRepo(ctx context.Context, global classify.Model, repo string, history, newest []classify.Example, dir string, opts classify.LearnOptions) (WarmRepo, []classify.Scored, []classify.Scored, error) {
	r := WarmRepo{Repo: repo}
	globalOut, err := classify.Score(ctx, global, newest)
	if err != nil {
		return r, nil, nil, fmt.Errorf("eval --warm: %s: %w", repo, err)
	}
	start := time.Now()
	learned, err := LearnRepository(ctx, global, repo, history, dir, opts)
	r.LearnSeconds = time.Since(start).Seconds()
	if err != nil {
		return r, nil, nil, fmt.Errorf("eval --warm: %w", err)
	}
	r.Learned, r.Accepted = learned, learned.Accepted
	if !learned.Accepted {
		return r, globalOut, globalOut, nil
	}
	defer os.RemoveAll(dir)
	m, err := classify.Load(dir)
	if err != nil {
		return r, nil, nil, fmt.Errorf("eval --warm: %s: %w", repo, err)
	}
	defer m.Close()
	servedOut, err := classify.Score(ctx, m, newest)
	if err != nil {
		return r, nil, nil, fmt.Errorf("eval --warm: %s: %w", repo, err)
	}
	return r, globalOut, servedOut, nil
}
