package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/commit-labeler/commit-labeler/internal/perf"
)

// defaultCorpus is the corpus of DATA.md, beside the clone.
const defaultCorpus = "../shared/data/commits-dev.jsonl.gz"

func benchCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("bench", stderr)
	cfg := perf.Config{Progress: stderr}
	fs.StringVar(&cfg.Corpus, "corpus", defaultCorpus, "JSONL(.gz) corpus of DATA.md's schema to import, train on and classify")
	fs.StringVar(&cfg.Work, "work", "", "directory kept with the store and models (default: a temporary one, removed)")
	fs.BoolVar(&cfg.Quick, "quick", false, fmt.Sprintf("train on %d commits, skip the cost curve, classify briefly", perf.QuickExamples))
	fs.IntVar(&cfg.ExtractCommits, "extract-commits", perf.ExtractCommits, "commits of the repository generated from the Go source tree for the extract row")
	sections := fs.String("only", "", "comma-separated sections to run: "+strings.Join(perf.Sections, ", ")+" (default all; train, curve need import)")
	bot := fs.String("bot", "", "the bot binary whose `bench --json` gives the webhook rows (default: bot beside this binary)")
	positional, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(positional) > 0 {
		return usageErrorf("unexpected argument %q", positional[0])
	}
	for s := range strings.SplitSeq(*sections, ",") {
		if s = strings.TrimSpace(s); s != "" {
			cfg.Sections = append(cfg.Sections, s)
		}
	}
	if cfg.ExtractCommits < 1 {
		return usageErrorf("--extract-commits %d: want at least 1", cfg.ExtractCommits)
	}
	if cfg.Train, err = os.Executable(); err != nil {
		return fmt.Errorf("bench: the train binary: %w", err)
	}
	cfg.Bot = *bot
	if cfg.Bot == "" {
		cfg.Bot = filepath.Join(filepath.Dir(cfg.Train), "bot")
	}
	return perf.Run(ctx, cfg, stdout)
}
