package pipeline

import (
	"time"

	"github.com/commit-labeler/commit-labeler/classify"

	"github.com/commit-labeler/commit-labeler/ghapp"
)

// Options are the parameters shared by every phase; the CLI fills them from
// flags and each phase reads what concerns it.
type Options struct {
	// Workdir holds the bare clones.
	Workdir string
	// Repos are git URLs (https, file) or local paths to clone.
	Repos []string
	// Installations adds every repository the GitHub App is installed on.
	Installations bool
	// App authenticates as the GitHub App when Installations is set.
	App ghapp.Config
	// CloneFilter is git clone's --filter for new clones. The default, "",
	// clones in full: a partial clone fetches the missing blobs one commit at
	// a time when the extract phase runs `git log -p` (what made the original
	// tool's diff phase time out). BenchmarkCloneLogPatch (300 commits over
	// 120 files served over file:// with uploadpack.allowFilter, 2 shared
	// cores) measured clone + `git log -p -U1`:
	//
	//	full           0.29 s + 0.18 s = 0.47 s
	//	blob:none      0.13 s + 28.7 s = 28.8 s (61 times slower, ~96 ms a commit)
	//	blob:limit=1m  0.34 s + 0.21 s = 0.54 s (no blob that large here)
	//
	// Over the network each lazy fetch costs a round trip to GitHub more.
	CloneFilter string
	// Labeler selects the labelers: "conventional", "ollama" or "all".
	Labeler string
	// MaxCommits bounds the commits extracted per repository (0: no bound).
	MaxCommits int
	// Since keeps commits authored at or after it (zero: all).
	Since time.Time
	// StridePerYear is the sample size per (repository, year); Seed makes it
	// deterministic.
	StridePerYear int
	Seed          int64
	// DiffLimit is the most characters of diff text kept per commit.
	DiffLimit int
	// Ollama configures the LLM labeler.
	Ollama OllamaOptions
	// Models are the model kinds the train phase trains, each into
	// ModelsOut/<kind>; with several kinds an ensemble of them is trained
	// into ModelsOut/ensemble too.
	Models []string
	// ModelsOut is the directory the train phase writes the models into
	// (DIR/<kind>/, DIR/ensemble/) and the summary phase its report.
	ModelsOut string
	// Encoder is the sentence encoder directory of the embedding kinds,
	// and Pooling how its hidden states are pooled (classify.PoolMean or
	// classify.PoolCLS; empty: the kind's default).
	Encoder string
	Pooling string
	// Import is the fine-tuned sequence-classification directory the
	// transformer kind imports.
	Import string
	// MaxExamples bounds the labeled commits the train phase trains and
	// validates on to a sample of that many, drawn with Seed (0: all): the
	// bench command's cost curve trains on growing subsets of one corpus.
	MaxExamples int
	// HoldoutRepos are repositories the train phase leaves out entirely
	// (neither trained nor validated on), to evaluate on afterwards.
	HoldoutRepos []string
	// ValidShare is the share of repositories held out for validation.
	ValidShare float64
	// ThresholdFolds is the number of repository folds whose out-of-fold
	// predictions the thresholds are tuned on (1: the validation ones only).
	ThresholdFolds int
	// PrecisionTarget is the precision the label thresholds are tuned for.
	PrecisionTarget float64
	// CGrid are regularisation strengths tfidf_logreg chooses from by
	// repository-grouped cross-validation (none: its default C).
	CGrid []float64
	// DiffWords is how many words of the diff's changed lines
	// tfidf_logreg reads (classify.TrainOptions.DiffWords).
	DiffWords int
	// Target, when set, narrows clone, extract and learn to one repository
	// (a learn job's).
	Target *Target
}

// OllamaOptions configures the ollama labeler.
type OllamaOptions struct {
	Hosts       []string
	Model       string
	BatchSize   int
	Concurrency int
	NumCtx      int
	Seed        int
	MaxRetries  int
}

// DefaultModelKind is the model kind the train phase trains by default.
const DefaultModelKind = classify.KindTfidfLogreg

// DefaultOptions returns the documented defaults.
func DefaultOptions() Options {
	return Options{
		Labeler:         "conventional",
		StridePerYear:   100,
		Seed:            42,
		DiffLimit:       4000,
		Models:          []string{DefaultModelKind},
		ModelsOut:       "trained-models",
		ValidShare:      0.25,
		PrecisionTarget: classify.DefaultPrecisionTarget,
		ThresholdFolds:  4,
		Ollama: OllamaOptions{
			Hosts:       []string{"http://127.0.0.1:11434"},
			Model:       "qwen2.5:7b-instruct",
			BatchSize:   8,
			Concurrency: 2,
			NumCtx:      8192,
			Seed:        42,
			MaxRetries:  3,
		},
	}
}

// Params returns the options as recorded in the runs table: everything that
// shapes a result, never a credential.
func (o Options) Params() map[string]any {
	p := map[string]any{
		"workdir":         o.Workdir,
		"repos":           o.Repos,
		"installations":   o.Installations,
		"labeler":         o.Labeler,
		"max_commits":     o.MaxCommits,
		"stride_per_year": o.StridePerYear,
		"seed":            o.Seed,
		"diff_limit":      o.DiffLimit,
	}
	if o.Target != nil {
		p["repo"] = o.Target.Repo
	}
	if o.ModelsOut != "" {
		p["models_out"] = o.ModelsOut
	}
	if len(o.Models) > 0 {
		p["models"] = o.Models
		p["valid_share"] = o.ValidShare
		p["precision_target"] = o.PrecisionTarget
		p["threshold_folds"] = o.ThresholdFolds
		if len(o.CGrid) > 0 {
			p["c_grid"] = o.CGrid
		}
		if o.DiffWords > 0 {
			p["diff_words"] = o.DiffWords
		}
	}
	if o.MaxExamples > 0 {
		p["max_examples"] = o.MaxExamples
	}
	if len(o.HoldoutRepos) > 0 {
		p["holdout_repos"] = o.HoldoutRepos
	}
	if o.Encoder != "" {
		p["encoder"] = o.Encoder
	}
	if o.Pooling != "" {
		p["pooling"] = o.Pooling
	}
	if o.Import != "" {
		p["import"] = o.Import
	}
	if o.CloneFilter != "" {
		p["clone_filter"] = o.CloneFilter
	}
	if !o.Since.IsZero() {
		p["since"] = o.Since.Format(time.RFC3339)
	}
	if o.Target != nil {
		p["target"] = o.Target.Repo
	}
	if o.Labeler == "ollama" || o.Labeler == "all" {
		p["ollama_hosts"] = o.Ollama.Hosts
		p["ollama_model"] = o.Ollama.Model
		p["ollama_batch"] = o.Ollama.BatchSize
	}
	return p
}
