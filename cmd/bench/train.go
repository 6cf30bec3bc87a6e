package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/commit-labeler/commit-labeler/internal/perf"
)

// defaultCorpus is the corpus `make corpus` rebuilds (docs/corpus.md).
const defaultCorpus = ".work/corpus/commits.jsonl.gz"

// runTrain is `bench train`: the measurements of internal/perf, each
// training in a child `train` process so its time and peak memory are its own.
func runTrain(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench train", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := perf.Config{Progress: stderr}
	fs.StringVar(&cfg.Corpus, "corpus", defaultCorpus, "JSONL(.gz) corpus (docs/corpus.md) to import, train on and classify")
	fs.StringVar(&cfg.Work, "work", "", "directory kept with the store and models (default: a temporary one, removed)")
	fs.BoolVar(&cfg.Quick, "quick", false, fmt.Sprintf("train on %d commits, skip the cost curve, classify briefly", perf.QuickExamples))
	fs.IntVar(&cfg.ExtractCommits, "extract-commits", perf.ExtractCommits, "commits of the repository generated from the Go source tree for the extract row")
	sections := fs.String("only", "", "comma-separated sections to run: "+strings.Join(perf.Sections, ", ")+" (default all; train, curve need import)")
	fs.StringVar(&cfg.Train, "train", besideSelf("train"), "the train binary whose commands are measured")
	fs.StringVar(&cfg.Bench, "bench", besideSelf("bench"), "the bench binary whose `bench bot --json` gives the webhook rows")
	fs.StringVar(&cfg.Bot, "bot", besideSelf("bot"), "the bot binary `bench bot` starts")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErrorf("unexpected argument %q", fs.Arg(0))
	}
	for s := range strings.SplitSeq(*sections, ",") {
		if s = strings.TrimSpace(s); s != "" {
			cfg.Sections = append(cfg.Sections, s)
		}
	}
	if cfg.ExtractCommits < 1 {
		return usageErrorf("--extract-commits %d: want at least 1", cfg.ExtractCommits)
	}
	return perf.Run(ctx, cfg, stdout)
}
