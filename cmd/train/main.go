// Command train is the offline retraining pipeline of commit-labeler:
// clone → extract → stride → enrich → label → train → summary over git
// repositories, everything kept in one SQLite file.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `usage: train COMMAND [flags]

commands:
  run       run the phases in order (--only PHASE, --from PHASE)
  clone     phase 1: bare-clone or fetch the repositories into --workdir
  extract   phase 2: stream non-merge commits with files and diffs into the store
  stride    phase 3: drop duplicate patches, draw the time-strided sample
  enrich    phase 4: build per-commit features
  label     phase 5: label commits (conventional headers, ollama, human corrections)
  train     phase 6: train --model KIND[,KIND...] into --out DIR (several kinds: and their ensemble)
  eval      score a model (--model DIR) on labeled records (--data FILE.jsonl[.gz]); --warm: learning each repository first
  worker    work the bot's "learn repository" jobs: clone, extract, label, learn and publish each repository's model
  classify  classify JSONL commits from stdin with a model, one JSON prediction per line
  summary   phase 7: write summary.json, summary.md and summary.html into --out
  import    load JSONL(.gz) records of the corpus schema (DATA.md)
  runs      list the recorded phase runs
  bench     measure extract, import, training and classification; print the README's markdown table

Run "train COMMAND -h" for the flags of a command.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// usageError is an error in how the command was called (exit status 2).
type usageError struct{ error }

// usageErrorf formats a usageError.
func usageErrorf(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// run executes one command and returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stderr, usage)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	cmd, rest := args[0], args[1:]
	var err error
	switch cmd {
	case "run":
		err = runPhasesCommand(ctx, cmd, rest, stdout, stderr)
	case "import":
		err = importCommand(ctx, rest, stdout, stderr)
	case "runs":
		err = runsCommand(ctx, rest, stdout, stderr)
	case "eval":
		err = evalCommand(ctx, rest, stdout, stderr)
	case "classify":
		err = classifyCommand(ctx, rest, stdout, stderr)
	case "bench":
		err = benchCommand(ctx, rest, stdout, stderr)
	case "worker":
		err = workerCommand(ctx, rest, stdout, stderr)
	default:
		if !isPhaseCommand(cmd) {
			fmt.Fprintf(stderr, "train: unknown command %q\n\n%s", cmd, usage)
			return 2
		}
		err = runPhasesCommand(ctx, cmd, rest, stdout, stderr)
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errHelp):
		return 0
	case errors.As(err, new(usageError)):
		fmt.Fprintf(stderr, "train %s: %v\n", cmd, err)
		return 2
	default:
		fmt.Fprintf(stderr, "train %s: %v\n", cmd, err)
		return 1
	}
}
