// Command bench measures commit-labeler: `bench bot` load tests the
// webhook server on loopback against a fake GitHub, `bench train` measures
// extract, import, training and classification and prints the
// performance table of docs/performance.md. It is its own binary so that
// the load generator and the fakes it drives are never linked into the
// shipped `bot` and `train`.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
)

// Exit codes: 2 for bad flags, 1 for failures while measuring.
const (
	exitFailure = 1
	exitUsage   = 2
)

const usage = `usage: bench COMMAND [flags]

commands:
  bot    load test the bot (and a minimal Probot app) on loopback against a fake GitHub
  train  measure extract, import, training and classification; print the markdown table

Run "bench COMMAND -h" for the flags of a command.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stderr, usage)
		if len(args) == 0 {
			return exitUsage
		}
		return 0
	}
	var err error
	switch args[0] {
	case "bot":
		err = runBot(ctx, args[1:], stdout, stderr)
	case "train":
		err = runTrain(ctx, args[1:], stdout, stderr)
	default:
		fmt.Fprintf(stderr, "bench: unknown command %q\n\n%s", args[0], usage)
		return exitUsage
	}
	var usageErr usageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &usageErr):
		fmt.Fprintf(stderr, "bench %s: %v\n", args[0], err)
		return exitUsage
	default:
		fmt.Fprintf(stderr, "bench %s: %v\n", args[0], err)
		return exitFailure
	}
}

// usageError is an error in how the command was called (exit status 2).
type usageError struct{ error }

func usageErrorf(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// besideSelf is the path of the named binary in this binary's directory,
// where `make build` puts bot, train and bench together.
func besideSelf(name string) string {
	self, err := os.Executable()
	if err != nil {
		return name
	}
	return filepath.Join(filepath.Dir(self), name)
}
