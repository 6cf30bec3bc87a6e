package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/commit-labeler/commit-labeler/classify"
	"github.com/commit-labeler/commit-labeler/ghapp"
	"github.com/commit-labeler/commit-labeler/pipeline"
	"github.com/commit-labeler/commit-labeler/store"
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
	fs.StringVar(&c.db, "db", store.DefaultSource("commit-labeler.db"), "database of the corpus, labels and runs (the bot's, for worker): a SQLite file or postgres://… (default $"+store.EnvDatabaseURL+" when set)")
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

// newPhaseFlagSet returns the flags of a phase command (the phase's own,
// as pipeline.Phases lists them) or, with withSelection, of run (every
// phase's, and --only and --from).
func newPhaseFlagSet(name string, stderr io.Writer, withSelection bool) (*flag.FlagSet, *phaseFlags) {
	fs, common := newCommonFlagSet(name, stderr)
	pf := &phaseFlags{commonFlags: common, opts: pipeline.DefaultOptions()}
	registered := map[string]bool{}
	for _, p := range pipeline.Phases {
		if p.Name != name && !withSelection {
			continue
		}
		for _, f := range p.Flags {
			if !registered[f] {
				registered[f] = true
				optionFlags[f](fs, pf)
			}
		}
	}
	if withSelection {
		fs.StringVar(&pf.only, "only", "", "run only this phase")
		fs.StringVar(&pf.from, "from", "", "run from this phase on")
	}
	return fs, pf
}

// optionFlags register each option flag a phase may read (pipeline.Phase.Flags).
var optionFlags = map[string]func(fs *flag.FlagSet, pf *phaseFlags){
	"workdir": func(fs *flag.FlagSet, pf *phaseFlags) {
		fs.StringVar(&pf.opts.Workdir, "workdir", "clones", "directory of the bare clones")
	},
	"repo": func(fs *flag.FlagSet, pf *phaseFlags) {
		fs.Func("repo", "git URL (https://, file://) or local path to a repository; repeatable", func(s string) error {
			if strings.TrimSpace(s) == "" {
				return errors.New("empty repository")
			}
			pf.opts.Repos = append(pf.opts.Repos, s)
			return nil
		})
	},
	"installations": func(fs *flag.FlagSet, pf *phaseFlags) {
		fs.BoolVar(&pf.opts.Installations, "installations", false, "also every repository the GitHub App is installed on (GITHUB_APP_ID, GITHUB_PRIVATE_KEY_PATH or GITHUB_PRIVATE_KEY, GITHUB_API_URL)")
	},
	"labeler": func(fs *flag.FlagSet, pf *phaseFlags) {
		fs.StringVar(&pf.opts.Labeler, "labeler", pf.opts.Labeler, "labelers: conventional, ollama or all")
	},
	"max-commits": func(fs *flag.FlagSet, pf *phaseFlags) {
		fs.IntVar(&pf.opts.MaxCommits, "max-commits", 0, "extract at most the N newest commits per repository (0: all)")
	},
	"since": func(fs *flag.FlagSet, pf *phaseFlags) {
		fs.StringVar(&pf.since, "since", "", "extract commits authored on or after DATE (YYYY-MM-DD or RFC 3339)")
	},
	"stride-per-year": func(fs *flag.FlagSet, pf *phaseFlags) {
		fs.IntVar(&pf.opts.StridePerYear, "stride-per-year", pf.opts.StridePerYear, "sample at most N commits per repository and year")
	},
	"seed": func(fs *flag.FlagSet, pf *phaseFlags) {
		fs.Int64Var(&pf.opts.Seed, "seed", pf.opts.Seed, "seed of the stride sample and of --max-examples")
	},
	"diff-limit": func(fs *flag.FlagSet, pf *phaseFlags) {
		fs.IntVar(&pf.opts.DiffLimit, "diff-limit", pf.opts.DiffLimit, "characters of diff text kept per commit")
	},
	"ollama-host": func(fs *flag.FlagSet, pf *phaseFlags) {
		o := &pf.opts
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
	},
	"ollama-model": func(fs *flag.FlagSet, pf *phaseFlags) {
		fs.StringVar(&pf.opts.Ollama.Model, "ollama-model", pf.opts.Ollama.Model, "Ollama model of the LLM labeler")
	},
	"ollama-batch": func(fs *flag.FlagSet, pf *phaseFlags) {
		fs.IntVar(&pf.opts.Ollama.BatchSize, "ollama-batch", pf.opts.Ollama.BatchSize, "commits per LLM request")
	},
	"ollama-concurrency": func(fs *flag.FlagSet, pf *phaseFlags) {
		fs.IntVar(&pf.opts.Ollama.Concurrency, "ollama-concurrency", pf.opts.Ollama.Concurrency, "concurrent requests per Ollama host")
	},
	"ollama-num-ctx": func(fs *flag.FlagSet, pf *phaseFlags) {
		fs.IntVar(&pf.opts.Ollama.NumCtx, "ollama-num-ctx", pf.opts.Ollama.NumCtx, "context size (tokens) of LLM requests")
	},
	"model": func(fs *flag.FlagSet, pf *phaseFlags) {
		o := &pf.opts
		fs.Func("model", "model kinds the train phase trains, comma-separated ("+strings.Join(classify.KindNames(), ", ")+"); several also train an ensemble (default "+strings.Join(o.Models, ",")+")", func(s string) error {
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
	},
	"out": func(fs *flag.FlagSet, pf *phaseFlags) {
		fs.StringVar(&pf.opts.ModelsOut, "out", pf.opts.ModelsOut, "directory of the trained models (DIR/<kind>/model.json) and of the summary report")
	},
	"holdout": func(fs *flag.FlagSet, pf *phaseFlags) {
		fs.Func("holdout", "repositories (owner/name, comma-separated) the train phase leaves out, to evaluate on", func(s string) error {
			for r := range strings.SplitSeq(s, ",") {
				if r = strings.TrimSpace(r); r != "" {
					pf.opts.HoldoutRepos = append(pf.opts.HoldoutRepos, r)
				}
			}
			return nil
		})
	},
	"max-examples": func(fs *flag.FlagSet, pf *phaseFlags) {
		fs.IntVar(&pf.opts.MaxExamples, "max-examples", 0, "train on a sample of at most N labeled commits, drawn with --seed (0: all)")
	},
	"encoder": func(fs *flag.FlagSet, pf *phaseFlags) {
		fs.StringVar(&pf.opts.Encoder, "encoder", "", "sentence encoder directory (model.onnx, tokenizer.json) of the embedding kinds")
	},
	"pooling": func(fs *flag.FlagSet, pf *phaseFlags) {
		fs.StringVar(&pf.opts.Pooling, "pooling", "", "how embed_mlp pools the encoder's hidden states: mean (all-MiniLM-L6-v2) or cls (bge-small-en-v1.5) (default mean)")
	},
	"import": func(fs *flag.FlagSet, pf *phaseFlags) {
		fs.StringVar(&pf.opts.Import, "import", "", "fine-tuned sequence-classification directory (model.onnx, tokenizer.json, label_mapping.json or config.json) the transformer kind imports")
	},
	"valid-share": func(fs *flag.FlagSet, pf *phaseFlags) {
		fs.Float64Var(&pf.opts.ValidShare, "valid-share", pf.opts.ValidShare, "share of repositories held out for validation")
	},
	"threshold-folds": func(fs *flag.FlagSet, pf *phaseFlags) {
		fs.IntVar(&pf.opts.ThresholdFolds, "threshold-folds", pf.opts.ThresholdFolds, "tune thresholds on out-of-fold predictions over N folds of the repositories (1: on the validation repositories only)")
	},
	"precision": func(fs *flag.FlagSet, pf *phaseFlags) {
		fs.Float64Var(&pf.opts.PrecisionTarget, "precision", pf.opts.PrecisionTarget, "precision the label thresholds are tuned for on validation")
	},
	"diff-words": func(fs *flag.FlagSet, pf *phaseFlags) {
		fs.IntVar(&pf.opts.DiffWords, "diff-words", pf.opts.DiffWords, "tfidf_logreg: also read up to N words of the diff's added and removed lines (0: none, the default)")
	},
	"c-grid": func(fs *flag.FlagSet, pf *phaseFlags) {
		fs.Func("c-grid", "tfidf_logreg: regularisation strengths C (comma-separated) to choose from by repository-grouped cross-validation", func(s string) error {
			for v := range strings.SplitSeq(s, ",") {
				c, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
				if err != nil || c <= 0 {
					return fmt.Errorf("%q is not a positive number", v)
				}
				pf.opts.CGrid = append(pf.opts.CGrid, c)
			}
			return nil
		})
	},
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
