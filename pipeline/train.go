package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"

	commitlabeler "github.com/commit-labeler/commit-labeler"
	"github.com/commit-labeler/commit-labeler/classify"
	"github.com/commit-labeler/commit-labeler/store"
)

// Train counters; each kind adds KIND_macro_f1_x1000, KIND_accuracy_x1000
// and KIND_coverage_x1000 (the share of validation commits it labels).
const (
	CountExamples      = "examples"
	CountTrainExamples = "train"
	CountValidExamples = "valid"
	CountTrainRepos    = "train_repos"
	CountValidRepos    = "valid_repos"
	// CountFeaturesBuilt counts the labeled commits without current
	// features, whose features were built on the fly.
	CountFeaturesBuilt = "features_built"
	// CountHeldOut counts the commits of Options.HoldoutRepos left out.
	CountHeldOut = "held_out"
	// CountSampledOut counts the commits left out by Options.MaxExamples.
	CountSampledOut = "sampled_out"
)

// TrainModels is the train phase: it reads every labeled commit (its
// effective labels and features) from the store, holds out whole
// repositories for validation (Options.ValidShare, Options.Seed), trains
// each kind of Options.Models into Options.ModelsOut/<kind> and, with
// several kinds, an ensemble of them into Options.ModelsOut/ensemble.
// Commits of Options.HoldoutRepos are left out entirely, for evaluation on
// repositories the models never saw.
// When the split leaves one side empty (a single repository) every commit
// is trained on and nothing is validated, so thresholds stay untuned: the
// models abstain until trained on several repositories.
func TrainModels(ctx context.Context, env *Env) (Counts, error) {
	o := env.Options
	if len(o.Models) == 0 || o.ModelsOut == "" {
		return nil, errors.New("train: no model kinds or no output directory given")
	}
	for _, kind := range o.Models {
		if kind == classify.KindEnsemble {
			return nil, fmt.Errorf("train: kind %s is trained on its own when several kinds are given", kind)
		}
		if _, err := classify.LookupKind(kind); err != nil {
			return nil, fmt.Errorf("train: %w", err)
		}
	}
	counts := Counts{}
	examples, train, valid, err := splitExamples(ctx, env, counts)
	if err != nil {
		return counts, err
	}
	counts[CountExamples] = int64(len(examples))
	counts[CountTrainExamples], counts[CountValidExamples] = int64(len(train)), int64(len(valid))
	counts[CountTrainRepos], counts[CountValidRepos] = int64(countRepos(train)), int64(countRepos(valid))

	in := classify.TrainInput{Labels: labelsOf(examples), Train: train, Valid: valid,
		Options: classify.TrainOptions{Seed: o.Seed, PrecisionTarget: o.PrecisionTarget, ThresholdFolds: o.ThresholdFolds, Encoder: o.Encoder, Pooling: o.Pooling, Import: o.Import, CGrid: o.CGrid, DiffWords: o.DiffWords}}
	kinds := o.Models
	if len(kinds) > 1 {
		kinds = append(slices.Clone(kinds), classify.KindEnsemble)
	}
	for _, kind := range kinds {
		dir := filepath.Join(o.ModelsOut, kind)
		if kind == classify.KindEnsemble {
			for _, member := range o.Models {
				in.Options.Members = append(in.Options.Members, filepath.Join(o.ModelsOut, member))
			}
		}
		env.Log.Info("training", "kind", kind, "dir", dir, "train", len(train), "valid", len(valid))
		meta, err := classify.Train(ctx, kind, in, dir)
		if err != nil {
			return counts, err
		}
		if m := meta.Metrics; m != nil {
			counts[kind+"_macro_f1_x1000"] = thousandths(m.MacroF1)
			counts[kind+"_accuracy_x1000"] = thousandths(m.Accuracy)
			counts[kind+"_coverage_x1000"] = thousandths(m.AppliedCoverage)
		}
	}
	return counts, nil
}

// splitExamples reads the labeled commits, leaves out those of
// Options.HoldoutRepos, samples Options.MaxExamples and splits the rest by
// repository into training and validation examples (Options.ValidShare,
// Options.Seed), counting what it left out.
func splitExamples(ctx context.Context, env *Env, counts Counts) (examples, train, valid []classify.Example, err error) {
	o := env.Options
	examples, err = loadExamples(ctx, env, counts)
	if err != nil {
		return nil, nil, nil, err
	}
	if len(o.HoldoutRepos) > 0 {
		held := len(examples)
		examples = slices.DeleteFunc(examples, func(e classify.Example) bool { return slices.Contains(o.HoldoutRepos, e.Repo) })
		counts[CountHeldOut] = int64(held - len(examples))
	}
	if o.MaxExamples > 0 && len(examples) > o.MaxExamples {
		counts[CountSampledOut] = int64(len(examples) - o.MaxExamples)
		examples = sampleExamples(examples, o.MaxExamples, o.Seed)
	}
	if len(examples) == 0 {
		return nil, nil, nil, errors.New("train: no labeled commits in the store (run the label phase or import a corpus)")
	}
	train, valid = classify.SplitByRepo(examples, o.ValidShare, o.Seed)
	if len(train) == 0 || len(valid) == 0 {
		// Out-of-fold predictions over repository folds tune the thresholds
		// and score the model then; without them nothing can.
		if o.ThresholdFolds <= 1 {
			env.Log.Warn("train: the repository split leaves one side empty; training on every commit without validation, thresholds untuned",
				"examples", len(examples), "valid_share", o.ValidShare)
		}
		train, valid = examples, nil
	}
	return examples, train, valid, nil
}

// sampleExamples keeps n examples drawn with seed, in their order.
func sampleExamples(examples []classify.Example, n int, seed int64) []classify.Example {
	keep := rand.New(rand.NewPCG(uint64(seed), uint64(n))).Perm(len(examples))[:n]
	slices.Sort(keep)
	out := make([]classify.Example, n)
	for i, j := range keep {
		out[i] = examples[j]
	}
	return out
}

func thousandths(x float64) int64 { return int64(x*1000 + 0.5) }

func countRepos(examples []classify.Example) int {
	seen := map[string]bool{}
	for _, e := range examples {
		seen[e.Repo] = true
	}
	return len(seen)
}

// labelsOf returns the vocabulary's labels that some example carries, in
// vocabulary order.
func labelsOf(examples []classify.Example) []string {
	seen := map[string]bool{}
	for _, e := range examples {
		for _, l := range e.Labels {
			seen[l] = true
		}
	}
	var out []string
	for _, l := range commitlabeler.Default().Names() {
		if seen[l] {
			out = append(out, l)
		}
	}
	return out
}

// effectiveLabelNames returns the effective labels (store.EffectiveLabels)
// of every labeled commit by commit id.
func effectiveLabelNames(ctx context.Context, env *Env) (map[int64][]string, error) {
	effective, err := env.DB.EffectiveLabels(ctx)
	if err != nil {
		return nil, err
	}
	labels := make(map[int64][]string, len(effective))
	for _, e := range effective {
		for _, l := range e.Labels {
			labels[e.CommitID] = append(labels[e.CommitID], l.Label)
		}
	}
	return labels, nil
}

// loadExamples reads every commit with effective labels and its features:
// the stored features of the current version, decoded on all cores, then
// features built from the stored commit for the labeled commits that lack them.
func loadExamples(ctx context.Context, env *Env, counts Counts) ([]classify.Example, error) {
	labels, err := effectiveLabelNames(ctx, env)
	if err != nil {
		return nil, err
	}
	progress := env.Progress("train: read", len(labels))
	defer progress.Done()
	var examples []classify.Example
	type decoded struct {
		example classify.Example
		err     error
	}
	flow := batchFlow[store.CommitFeatures, decoded]{
		Size: writeBatch,
		Transform: func(cf store.CommitFeatures) decoded {
			f := new(classify.Features)
			if err := json.Unmarshal(cf.Data, f); err != nil {
				return decoded{err: fmt.Errorf("train: features of %s@%s: %w", cf.Repo, cf.SHA, err)}
			}
			return decoded{example: classify.Example{ID: cf.Repo + "@" + cf.SHA, Repo: cf.Repo, Features: f, Labels: labels[cf.CommitID]}}
		},
		Write: func(batch []decoded) error {
			for _, d := range batch {
				if d.err != nil {
					return d.err
				}
				examples = append(examples, d.example)
			}
			progress.Add(len(batch))
			return nil
		},
	}
	seen := make(map[int64]bool, len(labels))
	err = flow.Run(ctx, func(ctx context.Context, emit func(store.CommitFeatures) error) error {
		return env.DB.ForEachCommitFeatures(ctx, classify.FeaturesVersion, func(cf store.CommitFeatures) error {
			if labels[cf.CommitID] == nil {
				return nil
			}
			seen[cf.CommitID] = true
			return emit(cf)
		})
	})
	if err != nil || len(seen) == len(labels) {
		return examples, err
	}
	err = env.DB.ForEachCommit(ctx, store.CommitFilter{WithoutFeaturesVersion: classify.FeaturesVersion}, func(c *store.Commit) error {
		ls := labels[c.ID]
		if ls == nil {
			return nil
		}
		f := classify.BuildFeatures(classifyCommit(c))
		examples = append(examples, classify.Example{ID: c.Repo + "@" + c.SHA, Repo: c.Repo, Features: &f, Labels: ls})
		counts[CountFeaturesBuilt]++
		progress.Add(1)
		return nil
	})
	return examples, err
}
