package classify

import (
	"context"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// TrainOptions tune training; kinds read what concerns them.
type TrainOptions struct {
	// Seed makes training deterministic.
	Seed int64
	// PrecisionTarget is the precision thresholds are tuned for.
	PrecisionTarget float64
	// Encoder is the directory of a sentence encoder (model.onnx and
	// tokenizer.json), for embed_mlp.
	Encoder string
	// Pooling is how embed_mlp pools the encoder's hidden states, PoolMean
	// (the default, for all-MiniLM-L6-v2) or PoolCLS (for encoders trained
	// on the [CLS] state, such as bge-small-en-v1.5).
	Pooling string
	// OllamaHost and OllamaModel give embed_mlp embeddings from Ollama instead.
	OllamaHost, OllamaModel string
	// Members are trained model directories an ensemble combines.
	Members []string
	// Vote is how an ensemble combines its members: VoteMajority, VoteSoft
	// or VoteWeighted (the default).
	Vote string
	// Import is a fine-tuned transformer directory for the transformer kind.
	Import string
	// ThresholdFolds > 1 tunes thresholds on out-of-fold predictions over
	// that many folds of all repositories instead of on Valid alone.
	ThresholdFolds int
	// Tfidf overrides the tfidf_logreg configuration.
	Tfidf *TfidfConfig
	// CGrid, when set, has tfidf_logreg choose its regularisation strength
	// among these by repository-grouped cross-validation.
	CGrid []float64
	// DiffWords, when set, has tfidf_logreg read that many words of the
	// diff's added and removed lines (TokenConfig.DiffWords).
	DiffWords int
}

// TrainInput is what a kind trains on.
type TrainInput struct {
	// Labels are the output labels, in column order.
	Labels []string
	// Train are the examples to fit; Valid are examples of other
	// repositories, for early stopping and for fitting ensemble weights.
	Train, Valid []Example
	Options      TrainOptions
	// start, when set, is the mean of the threshold folds' models, which
	// tfidf_logreg starts its fit from.
	start *warmStart
}

// Train trains a model of the named kind into dir (created if needed), then
// tunes its per-label thresholds and scores it on the validation examples,
// and writes the completed model.json.
func Train(ctx context.Context, kind string, in TrainInput, dir string) (*Meta, error) {
	k, err := LookupKind(kind)
	if err != nil {
		return nil, err
	}
	if len(in.Train) == 0 {
		return nil, fmt.Errorf("train %s: no training examples", kind)
	}
	if in.Options.PrecisionTarget == 0 {
		in.Options.PrecisionTarget = DefaultPrecisionTarget
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("train %s: %w", kind, err)
	}
	ctx = withVectorCache(withEmbeddingCache(ctx))
	// The threshold folds come first: the final fit starts from the mean
	// of their models. A kind that cannot refit (Kind.Fixed) keeps the
	// validation outcomes.
	var tuning []Scored
	folds := in.Options.ThresholdFolds > 1 && !k.Fixed
	if folds {
		var err error
		if tuning, in.start, err = outOfFold(ctx, k, in, dir); err != nil {
			return nil, fmt.Errorf("train %s: %w", kind, err)
		}
	}
	start := time.Now()
	if err := k.Train(ctx, in, dir); err != nil {
		return nil, fmt.Errorf("train %s: %w", kind, err)
	}
	elapsed := time.Since(start)
	model, err := Load(dir)
	if err != nil {
		return nil, err
	}
	defer model.Close()
	meta := model.Meta()
	// A kind that imports a model trained elsewhere records that
	// training's data (FineTuning): the repositories it saw are the ones an
	// evaluation on unseen repositories must leave out.
	if meta.Fingerprint == "" {
		meta.Fingerprint = Fingerprint(in.Train)
		meta.TrainExamples = len(in.Train)
		meta.TrainRepos = repoNames(in.Train)
		meta.TrainSeconds = elapsed.Seconds()
	}
	meta.ValidExamples = len(in.Valid)
	meta.ValidRepos = repoNames(in.Valid)
	meta.ThresholdTarget = in.Options.PrecisionTarget
	var outcomes []Scored
	if len(in.Valid) > 0 {
		if outcomes, err = Score(ctx, model, in.Valid); err != nil {
			return nil, fmt.Errorf("train %s: validate: %w", kind, err)
		}
	}
	if folds {
		meta.ThresholdFolds = in.Options.ThresholdFolds
		// Without validation repositories the model trained on all of
		// them, and the out-of-fold outcomes are its cross-validated score.
		if len(outcomes) == 0 {
			outcomes = tuning
		}
	} else {
		tuning = outcomes
	}
	if len(tuning) > 0 {
		meta.Metrics = calibrateAndTune(meta, tuning, outcomes, in.Options.PrecisionTarget)
	}
	if err := WriteMeta(dir, meta); err != nil {
		return nil, err
	}
	return meta, nil
}

// calibrateAndTune fits meta's calibration on the tuning outcomes of
// examples its model did not train on, then its operating curve and its
// thresholds for the precision target on the calibrated probabilities
// that serving will see. It calibrates the outcomes (which may share rows
// with tuning) in place, applies the thresholds to them and returns their
// metrics.
func calibrateAndTune(meta *Meta, tuning, outcomes []Scored, target float64) *Metrics {
	calibrate(meta, tuning, outcomes)
	tune(meta, tuning, target)
	for i := range outcomes {
		outcomes[i].Applied = labelNames(ApplyThresholds(meta.Labels, outcomes[i].Probabilities, meta.Thresholds))
	}
	return Evaluate(meta.Labels, outcomes)
}

// calibrate fits meta's temperature and each label's top calibration on
// tuning (the first set) and calibrates every set in place by them.
func calibrate(meta *Meta, tuning []Scored, others ...[]Scored) {
	sets := append([][]Scored{tuning}, others...)
	meta.Temperature = FitTemperature(meta.Labels, tuning)
	eachRow(func(p []float32) { Temper(p, meta.Temperature) }, sets...)
	meta.TopCalibration = FitTopCalibration(meta.Labels, tuning)
	eachRow(func(p []float32) { calibrateTop(p, meta.Labels, meta.TopCalibration) }, sets...)
}

// tune sets meta's operating curve and its thresholds for target from
// tuning's calibrated probabilities.
func tune(meta *Meta, tuning []Scored, target float64) {
	meta.OperatingPoints = OperatingCurve(meta.Labels, tuning)
	meta.Thresholds = TuneThresholds(meta.Labels, tuning, target)
}

// eachRow calls fn on the probabilities of the outcome sets, each row once
// even where the sets share their rows.
func eachRow(fn func(p []float32), sets ...[]Scored) {
	seen := make(map[*float32]bool)
	for _, set := range sets {
		for _, o := range set {
			if len(o.Probabilities) == 0 || seen[&o.Probabilities[0]] {
				continue
			}
			seen[&o.Probabilities[0]] = true
			fn(o.Probabilities)
		}
	}
}

// outOfFold scores every example of in.Train and in.Valid with a model that
// did not see its repository: the repositories are split into
// Options.ThresholdFolds folds and a model is trained on the others for
// each. Thresholds tuned on these outcomes reflect how much precision varies
// between many repositories, not just the few validation ones. It also
// returns the mean of the fold models, for the final fit to start from.
func outOfFold(ctx context.Context, k Kind, in TrainInput, dir string) ([]Scored, *warmStart, error) {
	all := append(slices.Clone(in.Train), in.Valid...)
	folds := in.Options.ThresholdFolds
	var out []Scored
	start := &warmStart{}
	for f := range folds {
		var train, held []Example
		for _, e := range all {
			if repoFold(e.Repo, in.Options.Seed, folds) == f {
				held = append(held, e)
			} else {
				train = append(train, e)
			}
		}
		if len(held) == 0 || len(train) == 0 {
			continue
		}
		foldDir, err := os.MkdirTemp(filepath.Dir(filepath.Clean(dir)), ".fold-")
		if err != nil {
			return nil, nil, err
		}
		foldIn := in
		foldIn.Train, foldIn.Valid = train, held
		scored, err := trainAndScore(ctx, k, foldIn, foldDir, start)
		os.RemoveAll(foldDir)
		if err != nil {
			return nil, nil, fmt.Errorf("fold %d of %d: %w", f+1, folds, err)
		}
		out = append(out, scored...)
	}
	return out, start, nil
}

// trainAndScore trains a throw-away model into dir, scores in.Valid with
// it and adds it to start.
func trainAndScore(ctx context.Context, k Kind, in TrainInput, dir string, start *warmStart) ([]Scored, error) {
	if err := k.Train(ctx, in, dir); err != nil {
		return nil, err
	}
	m, err := Load(dir)
	if err != nil {
		return nil, err
	}
	defer m.Close()
	if err := start.add(m); err != nil {
		return nil, err
	}
	return Score(ctx, m, in.Valid)
}

// repoFold assigns a repository to one of n folds by a hash of its name.
func repoFold(repo string, seed int64, n int) int {
	h := fnv.New64a()
	fmt.Fprintf(h, "fold/%d/%s", seed, repo)
	return int(h.Sum64() % uint64(n))
}

// scoreBatch is how many examples Score sends to a model at once.
const scoreBatch = 256

// Score runs the model over examples, batches in parallel, and returns
// their outcomes in order, with the labels applied under the model's
// thresholds.
func Score(ctx context.Context, m Model, examples []Example) ([]Scored, error) {
	meta := m.Meta()
	out := make([]Scored, len(examples))
	err := parallelBatches(ctx, len(examples), scoreBatch, func(start, end int) error {
		probs, err := m.Probabilities(ctx, featuresOf(examples[start:end]))
		if err != nil {
			return err
		}
		if len(probs) != end-start {
			return fmt.Errorf("%s model returned %d rows for %d commits", meta.Kind, len(probs), end-start)
		}
		for i, p := range probs {
			out[start+i] = Scored{Truth: examples[start+i].Labels, Probabilities: p,
				Applied: labelNames(ApplyThresholds(meta.Labels, p, meta.Thresholds))}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func labelNames(ls []LabelScore) []string {
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = l.Label
	}
	return out
}

// SplitByRepo holds out whole repositories: a repository goes to the
// validation side when a hash of its name and the seed falls under share,
// so the split never mixes a repository's commits and is stable as
// repositories are added.
func SplitByRepo(examples []Example, share float64, seed int64) (train, valid []Example) {
	for _, e := range examples {
		h := fnv.New64a()
		fmt.Fprintf(h, "%d/%s", seed, e.Repo)
		if float64(h.Sum64()%10000)/10000 < share {
			valid = append(valid, e)
		} else {
			train = append(train, e)
		}
	}
	return train, valid
}
