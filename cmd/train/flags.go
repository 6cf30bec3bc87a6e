package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/commit-labeler/commit-labeler/ghapp"
	"github.com/commit-labeler/commit-labeler/pipeline"
)

// errHelp is returned after -h printed the flags.
var errHelp = errors.New("help shown")

// commonFlags are the flags of every pipeline command.
type commonFlags struct {
	db       string
	json     bool
	logLevel string
}

// newCommonFlagSet returns a flag set with the common flags registered.
func newCommonFlagSet(name string, stderr io.Writer) (*flag.FlagSet, *commonFlags) {
	c := &commonFlags{}
	fs := newFlagSet(name, stderr)
	fs.StringVar(&c.db, "db", "commit-labeler.db", "SQLite file holding the corpus, labels and runs")
	fs.BoolVar(&c.json, "json", false, "print the result as one JSON object")
	fs.StringVar(&c.logLevel, "log-level", "warn", "log level on stderr: debug, info, warn or error")
	return fs, c
}

// newFlagSet returns an empty flag set of the command that reports to stderr.
func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("train "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// phaseFlags are the flags of run and of every phase command.
type phaseFlags struct {
	*commonFlags
	opts       pipeline.Options
	only, from string
	since      string
	// ollamaHostsSet is set once --ollama-host replaced the default host.
	ollamaHostsSet bool
}

func newPhaseFlagSet(name string, stderr io.Writer, withSelection bool) (*flag.FlagSet, *phaseFlags) {
	fs, common := newCommonFlagSet(name, stderr)
	pf := &phaseFlags{commonFlags: common, opts: pipeline.DefaultOptions()}
	o := &pf.opts
	fs.StringVar(&o.Workdir, "workdir", "clones", "directory of the bare clones")
	fs.Func("repo", "git URL (https://, file://) or local path to a repository; repeatable", func(s string) error {
		if strings.TrimSpace(s) == "" {
			return errors.New("empty repository")
		}
		o.Repos = append(o.Repos, s)
		return nil
	})
	fs.BoolVar(&o.Installations, "installations", false, "also every repository the GitHub App is installed on (GITHUB_APP_ID, GITHUB_PRIVATE_KEY_PATH or GITHUB_PRIVATE_KEY, GITHUB_API_URL)")
	fs.StringVar(&o.Labeler, "labeler", o.Labeler, "labelers: conventional, ollama or all")
	fs.IntVar(&o.MaxCommits, "max-commits", 0, "extract at most the N newest commits per repository (0: all)")
	fs.StringVar(&pf.since, "since", "", "extract commits authored on or after DATE (YYYY-MM-DD or RFC 3339)")
	fs.IntVar(&o.StridePerYear, "stride-per-year", o.StridePerYear, "sample at most N commits per repository and year")
	fs.Int64Var(&o.Seed, "seed", o.Seed, "seed of the stride sample")
	fs.IntVar(&o.DiffLimit, "diff-limit", o.DiffLimit, "characters of diff text kept per commit")
	fs.Func("ollama-host", "Ollama base URL; repeatable (default "+strings.Join(o.Ollama.Hosts, ",")+")", func(s string) error {
		if !strings.HasPrefix(s, "http://") && !strings.HasPrefix(s, "https://") {
			return fmt.Errorf("%q is not an http(s) URL", s)
		}
		if !pf.ollamaHostsSet {
			o.Ollama.Hosts = nil
			pf.ollamaHostsSet = true
		}
		o.Ollama.Hosts = append(o.Ollama.Hosts, s)
		return nil
	})
	fs.StringVar(&o.Ollama.Model, "ollama-model", o.Ollama.Model, "Ollama model of the LLM labeler")
	fs.IntVar(&o.Ollama.BatchSize, "ollama-batch", o.Ollama.BatchSize, "commits per LLM request")
	fs.IntVar(&o.Ollama.Concurrency, "ollama-concurrency", o.Ollama.Concurrency, "concurrent requests per Ollama host")
	fs.IntVar(&o.Ollama.NumCtx, "ollama-num-ctx", o.Ollama.NumCtx, "context size (tokens) of LLM requests")
	fs.Func("model", "model kinds the train phase trains, comma-separated; several also train an ensemble (default "+strings.Join(o.Models, ",")+")", func(s string) error {
		o.Models = nil
		for k := range strings.SplitSeq(s, ",") {
			if k = strings.TrimSpace(k); k != "" {
				o.Models = append(o.Models, k)
			}
		}
		if len(o.Models) == 0 {
			return errors.New("no model kind")
		}
		return nil
	})
	fs.StringVar(&o.ModelsOut, "out", o.ModelsOut, "directory of the trained models (DIR/<kind>/model.json) and of the summary report")
	fs.Func("holdout", "repositories (owner/name, comma-separated) the train phase leaves out, to evaluate on", func(s string) error {
		for r := range strings.SplitSeq(s, ",") {
			if r = strings.TrimSpace(r); r != "" {
				o.HoldoutRepos = append(o.HoldoutRepos, r)
			}
		}
		return nil
	})
	fs.IntVar(&o.MaxExamples, "max-examples", 0, "train on a sample of at most N labeled commits, drawn with --seed (0: all)")
	fs.StringVar(&o.Encoder, "encoder", "", "sentence encoder directory (model.onnx, tokenizer.json) of the embedding kinds")
	fs.StringVar(&o.Import, "import", "", "fine-tuned sequence-classification directory (model.onnx, tokenizer.json, label_mapping.json or config.json) the transformer kind imports")
	fs.Float64Var(&o.ValidShare, "valid-share", o.ValidShare, "share of repositories held out for validation")
	fs.IntVar(&o.ThresholdFolds, "threshold-folds", o.ThresholdFolds, "tune thresholds on out-of-fold predictions over N folds of the repositories (1: on the validation repositories only)")
	fs.Float64Var(&o.PrecisionTarget, "precision", o.PrecisionTarget, "precision the label thresholds are tuned for on validation")
	fs.Func("c-grid", "tfidf_logreg: regularisation strengths C (comma-separated) to choose from by repository-grouped cross-validation", func(s string) error {
		for v := range strings.SplitSeq(s, ",") {
			c, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil || c <= 0 {
				return fmt.Errorf("%q is not a positive number", v)
			}
			o.CGrid = append(o.CGrid, c)
		}
		return nil
	})
	if withSelection {
		fs.StringVar(&pf.only, "only", "", "run only this phase")
		fs.StringVar(&pf.from, "from", "", "run from this phase on")
	}
	return fs, pf
}

// validate checks flag values and completes the options.
func (pf *phaseFlags) validate() error {
	o := &pf.opts
	switch o.Labeler {
	case "conventional", "ollama", "all":
	default:
		return usageErrorf("--labeler %q: want conventional, ollama or all", o.Labeler)
	}
	if o.MaxCommits < 0 {
		return usageErrorf("--max-commits %d: must not be negative", o.MaxCommits)
	}
	if o.MaxExamples < 0 {
		return usageErrorf("--max-examples %d: must not be negative", o.MaxExamples)
	}
	if o.DiffLimit < 100 {
		return usageErrorf("--diff-limit %d: must be at least 100", o.DiffLimit)
	}
	if o.Ollama.BatchSize < 1 || o.Ollama.Concurrency < 1 || o.Ollama.NumCtx < 512 {
		return usageErrorf("--ollama-batch and --ollama-concurrency must be ≥ 1 and --ollama-num-ctx ≥ 512")
	}
	if o.ValidShare < 0 || o.ValidShare >= 1 {
		return usageErrorf("--valid-share %v: want a share in [0, 1)", o.ValidShare)
	}
	if o.PrecisionTarget <= 0 || o.PrecisionTarget > 1 {
		return usageErrorf("--precision %v: want a precision in (0, 1]", o.PrecisionTarget)
	}
	if o.Installations {
		app, err := ghapp.ConfigFromEnv()
		if err != nil {
			return fmt.Errorf("--installations: %w", err)
		}
		o.App = app
	}
	if pf.since != "" {
		t, err := parseDate(pf.since)
		if err != nil {
			return usageErrorf("--since %q: %v", pf.since, err)
		}
		o.Since = t
	}
	return nil
}

func parseDate(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, errors.New("want YYYY-MM-DD or RFC 3339")
}

// parseInterleaved parses flags and positional arguments in any order.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, errHelp
			}
			return nil, usageErrorf("%v", err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}
