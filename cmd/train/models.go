package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"

	commitlabeler "github.com/commit-labeler/commit-labeler"
	"github.com/commit-labeler/commit-labeler/classify"
	"github.com/commit-labeler/commit-labeler/decision"
	"github.com/commit-labeler/commit-labeler/models"
	"github.com/commit-labeler/commit-labeler/pipeline"
	"github.com/commit-labeler/commit-labeler/repoconfig"
)

// stdin is what train classify reads; tests replace it.
var stdin io.Reader = os.Stdin

// modelFlag registers --model DIR, which defaults to the shipped model.
func modelFlag(fs *flag.FlagSet) *string {
	return fs.String("model", "", "model directory (default: the model shipped in the binary)")
}

// loadModel loads the model in dir, or the shipped default model.
func loadModel(dir string) (classify.Model, error) {
	if dir == "" {
		d, err := models.DefaultDir()
		if err != nil {
			return nil, fmt.Errorf("--model: %w", err)
		}
		dir = d
	}
	if err := classify.InitRuntime(); err != nil {
		return nil, err
	}
	m, err := classify.Load(dir)
	if err != nil {
		return nil, fmt.Errorf("--model: %w", err)
	}
	return m, nil
}

func evalCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("eval", stderr)
	var modelDirs []string
	fs.Func("model", "model directory (default: the model shipped in the binary); repeat with models trained on folds of the repositories to score each record by the one that did not train on its repository", func(s string) error {
		modelDirs = append(modelDirs, s)
		return nil
	})
	var data []string
	fs.Func("data", "JSONL(.gz) file of labeled records in the corpus format (docs/corpus.md); repeat or separate with commas for several", func(s string) error {
		for f := range strings.SplitSeq(s, ",") {
			if f = strings.TrimSpace(f); f != "" {
				data = append(data, f)
			}
		}
		return nil
	})
	asJSON := fs.Bool("json", false, "print the result as one JSON object")
	repos := fs.String("repos", "", "evaluate only these repositories (owner/name, comma-separated)")
	var opts pipeline.EvalOptions
	fs.BoolVar(&opts.ExcludeTrained, "exclude-trained", false, "leave out the repositories the model was trained on")
	fs.IntVar(&opts.BalancedPerLabel, "balanced", 150, "also score a balanced sample of N records of each first label that has N (0: not)")
	precision := fs.Float64("precision-point", 0, "serve the model's operating point for this precision, as a repository's precision: does (0: its default thresholds)")
	warm := fs.Bool("warm", false, "learn each repository from the oldest --train-share of its records as the learning worker does, and score its newest records with the global model and with what then serves it")
	var warmOpts pipeline.WarmOptions
	addWarmFlags(fs, &warmOpts)
	positional, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(positional) > 0 {
		return usageErrorf("unexpected argument %q (the records go in --data)", positional[0])
	}
	if len(data) == 0 {
		return usageErrorf("no --data FILE.jsonl[.gz] given")
	}
	for r := range strings.SplitSeq(*repos, ",") {
		if r = strings.TrimSpace(r); r != "" {
			opts.Repos = append(opts.Repos, r)
		}
	}
	if len(modelDirs) == 0 {
		modelDirs = []string{""}
	}
	if *warm && len(modelDirs) > 1 {
		return usageErrorf("--warm learns from one global model: %d --model given", len(modelDirs))
	}
	folds, err := loadFolds(modelDirs, *precision)
	if err != nil {
		return err
	}
	defer closeModels(folds)
	if *warm {
		warmOpts.Repos = opts.Repos
		if !*asJSON {
			warmOpts.Progress = func(r pipeline.WarmRepo) { printWarmRepo(stderr, r) }
		}
		rep, err := pipeline.EvaluateWarm(ctx, folds[0], data, warmOpts)
		if err != nil {
			return err
		}
		if *asJSON {
			return json.NewEncoder(stdout).Encode(rep)
		}
		printWarm(stdout, rep)
		return nil
	}
	rep, err := pipeline.EvaluateFolds(ctx, folds, data, opts)
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(stdout).Encode(rep)
	}
	printEval(stdout, rep)
	return nil
}

// addWarmFlags defines eval's --warm flags, which tune repository learning
// as the learning worker does it.
func addWarmFlags(fs *flag.FlagSet, o *pipeline.WarmOptions) {
	fs.Float64Var(&o.TrainShare, "train-share", pipeline.DefaultWarmTrainShare, "--warm: share of each repository's records, oldest first, that is its history")
	fs.Float64Var(&o.Learn.PrecisionTarget, "precision", classify.DefaultLearnPrecisionTarget, "--warm: precision each repository model's thresholds are tuned for on its newest history")
	fs.Float64Var(&o.Learn.ThresholdPrior, "threshold-prior", classify.DefaultLearnThresholdPrior, "--warm: predictions of a label on the newest history that weigh as much as the global model's threshold for it (negative: the repository's own thresholds alone)")
	fs.Float64Var(&o.Learn.AcceptanceZ, "acceptance-z", classify.DefaultLearnAcceptanceZ, "--warm: standard errors by which a repository model's applied precision may fall short of the global model's and still serve (negative: none)")
	fs.Float64Var(&o.Learn.HalfLife, "half-life", classify.DefaultLearnHalfLife, "--warm: commits back from the newest at which a history commit's weight halves (negative: all weigh alike)")
	fs.Float64Var(&o.Learn.CorrectionWeight, "correction-weight", classify.DefaultLearnCorrectionWeight, "--warm: weight of a history commit a maintainer corrected (--corrections)")
	fs.Float64Var(&o.Learn.PullRequestWeight, "pull-request-weight", classify.DefaultLearnPullRequestWeight, "--warm: weight of a history commit merged from a pull request (its subject ends in (#N)), labeled from it")
	fs.Float64Var(&o.Corrections, "corrections", 0, "--warm: share of the history commits the global model applied a wrong label to that count as corrected by a maintainer")
	fs.StringVar(&o.Learn.Calibration, "calibration", classify.CalibrateTemperature, "--warm: how a repository model is calibrated on its newest history: "+classify.CalibrateTemperature+", "+classify.CalibrateLabels+" (temperature and each label's top calibration) or "+classify.CalibrateGlobal+" (the global model's)")
}

// loadFolds loads each model directory ("" is the shipped model), serving
// the operating point for precision when it is not 0.
func loadFolds(dirs []string, precision float64) ([]classify.Model, error) {
	folds := make([]classify.Model, 0, len(dirs))
	for _, dir := range dirs {
		m, err := loadModel(dir)
		if err != nil {
			closeModels(folds)
			return nil, err
		}
		folds = append(folds, m)
		if precision != 0 {
			p, ok := m.Meta().PointFor(precision)
			if !ok {
				closeModels(folds)
				return nil, usageErrorf("--precision-point: model %s has no operating curve", dir)
			}
			m.Meta().Thresholds = p.Thresholds
		}
	}
	return folds, nil
}

func closeModels(models []classify.Model) {
	for _, m := range models {
		m.Close()
	}
}

// printEval prints an evaluation for people.
func printEval(w io.Writer, rep *pipeline.EvalReport) {
	m := rep.Metrics
	fmt.Fprintf(w, "model %s: %d commits (%d left out), %.0f commits/s\n", rep.Kind, m.N, rep.Skipped, rep.CommitsPerSecond)
	fmt.Fprintf(w, "accuracy %.3f  macro-F1 %.3f  multi-label micro-F1 %.3f  macro-F1 %.3f\n",
		m.Accuracy, m.MacroF1, m.MultiMicroF1, m.MultiMacroF1)
	fmt.Fprintf(w, "expected calibration error %.3f\n", m.ExpectedCalibrationError)
	if b := rep.Balanced; b != nil {
		var sampled []string
		for _, l := range b.Labels {
			if b.PerLabel[l].Support > 0 {
				sampled = append(sampled, l)
			}
		}
		fmt.Fprintf(w, "balanced sample (%d commits, %d of each of %s): accuracy %.3f  macro-F1 %.3f\n",
			b.N, b.N/max(len(sampled), 1), strings.Join(sampled, " "), b.Accuracy, b.MacroF1)
	}
	if s := rep.Spread; s.Repositories > 1 {
		fmt.Fprintf(w, "across %d repositories: applied precision median %.3f, worst decile %.3f (least: %s %.3f; %d under 0.80); coverage median %.3f, worst decile %.3f\n",
			s.Repositories, s.MedianPrecision, s.WorstDecilePrecision, s.LeastPrecise, s.LeastPrecisePrecision, s.Under080, s.MedianCoverage, s.WorstDecileCoverage)
	}
	fmt.Fprintf(w, "applied precision %.3f  coverage %.3f", m.AppliedPrecision, m.AppliedCoverage)
	for _, c := range m.CoverageAt {
		fmt.Fprintf(w, "  coverage@%.2f %.3f", c.Precision, c.Coverage)
	}
	fmt.Fprintln(w)

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "label\tprecision\trecall\tF1\tsupport\tpredicted\t")
	for _, l := range m.Labels {
		if lm, ok := m.PerLabel[l]; ok {
			fmt.Fprintf(tw, "%s\t%.3f\t%.3f\t%.3f\t%d\t%d\t\n", l, lm.Precision, lm.Recall, lm.F1, lm.Support, lm.Predicted)
		}
	}
	tw.Flush()

	fmt.Fprintln(w, "confusion (rows: first label, columns: top label)")
	tw = tabwriter.NewWriter(w, 0, 0, 1, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "\t%s\t\n", strings.Join(m.Labels, "\t"))
	for i, l := range m.Labels {
		if !slices.ContainsFunc(m.Confusion[i], func(n int) bool { return n > 0 }) {
			continue
		}
		cells := make([]string, len(m.Labels))
		for j, n := range m.Confusion[i] {
			cells[j] = fmt.Sprint(n)
		}
		fmt.Fprintf(tw, "%s\t%s\t\n", l, strings.Join(cells, "\t"))
	}
	tw.Flush()
}

func classifyCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("classify", stderr)
	modelDir := modelFlag(fs)
	configFile := fs.String("config", "", "a repository's "+repoconfig.Path+": decide under its precision, threshold(s) and max_labels, as the bot would (default: no file)")
	keepGoing := fs.Bool("keep-going", false, "exit 0 even when some lines could not be read (they are still reported)")
	positional, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(positional) > 0 {
		return usageErrorf("unexpected argument %q (records are read from stdin)", positional[0])
	}
	vocab := commitlabeler.Default()
	cfg, err := readRepoConfig(*configFile, vocab)
	if err != nil {
		return err
	}
	m, err := loadModel(*modelDir)
	if err != nil {
		return err
	}
	c := classify.NewClassifier(m)
	defer c.Close()
	cfg = cfg.WithModel(c)
	decide := func(ctx context.Context, commits []classify.Commit) ([]decision.Decision, error) {
		return decision.Decide(ctx, c, vocab, cfg, commits)
	}
	out := bufio.NewWriter(stdout)
	_, invalid, err := pipeline.ClassifyLines(ctx, decide, stdin, out, func(e *pipeline.LineError) {
		fmt.Fprintf(stderr, "train classify: stdin: %v\n", e)
	})
	if err != nil {
		return fmt.Errorf("stdin: %w", err)
	}
	if invalid > 0 && !*keepGoing {
		return fmt.Errorf("%d invalid line(s) skipped (see above; --keep-going exits 0)", invalid)
	}
	return nil
}

// readRepoConfig reads a repository configuration file, the defaults
// without one. An invalid file is an error: a preview under the defaults
// would not be what the repository asked for.
func readRepoConfig(path string, vocab *commitlabeler.Vocabulary) (repoconfig.Config, error) {
	if path == "" {
		return repoconfig.Default(vocab), nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return repoconfig.Config{}, fmt.Errorf("--config: %w", err)
	}
	cfg, err := repoconfig.Parse(data, vocab)
	if err != nil {
		return repoconfig.Config{}, fmt.Errorf("--config %s: %w", path, err)
	}
	return cfg, nil
}
