// Command train is the offline retraining pipeline of commit-labeler:
// clone → extract → stride → enrich → label → train → summary over git
// repositories, everything kept in one store (a SQLite file, or a
// PostgreSQL database shared by several machines), and the learning
// worker (`train worker`).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/commit-labeler/commit-labeler/pipeline"
)

// usage is the command list, the phases' lines read from pipeline.Phases.
var usage = func() string {
	var b strings.Builder
	b.WriteString("usage: train COMMAND [flags]\n\ncommands:\n")
	line := func(name, summary string) { fmt.Fprintf(&b, "  %-9s %s\n", name, summary) }
	line("run", "run the phases in order (--only PHASE, --from PHASE)")
	for i, p := range pipeline.Phases {
		line(p.Name, fmt.Sprintf("phase %d: %s", i+1, p.Summary))
	}
	line("eval", "score a model (--model DIR) on labeled records (--data FILE.jsonl[.gz]); --warm: learning each repository first")
	line("classify", "decide the labels of JSONL commits from stdin as the bot would (title rule, model, --config FILE), one JSON line each")
	line("import", "load JSONL(.gz) records of the corpus schema (docs/corpus.md)")
	line("corpus", "rebuild a corpus from its repository list (--repos corpus/repos.tsv): clone at the pinned commits, extract, label, export (--out)")
	line("texts", "write the labeled commits as the texts a transformer reads, split as train splits them, one JSON line each (scripts/finetune)")
	line("runs", "list the recorded phase runs")
	line("worker", `work the bot's "learn repository" jobs: clone, extract, label, learn and publish each repository's model`)
	line("audit", "list a repository's commits whose declared label a confident out-of-fold prediction disagrees with (--repo)")
	line("correct", "record a maintainer's verdict on a commit's label (--repo, --sha, --label [--remove])")
	b.WriteString("\nRun \"train COMMAND -h\" for the flags of a command.\n")
	return b.String()
}()

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
	case "corpus":
		err = corpusCommand(ctx, rest, stdout, stderr)
	case "texts":
		err = textsCommand(ctx, rest, stdout, stderr)
	case "runs":
		err = runsCommand(ctx, rest, stdout, stderr)
	case "eval":
		err = evalCommand(ctx, rest, stdout, stderr)
	case "classify":
		err = classifyCommand(ctx, rest, stdout, stderr)
	case "worker":
		err = workerCommand(ctx, rest, stdout, stderr)
	case "audit":
		err = auditCommand(ctx, rest, stdout, stderr)
	case "correct":
		err = correctCommand(ctx, rest, stdout, stderr)
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
