package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/commit-labeler/commit-labeler/ghapp"
	"github.com/commit-labeler/commit-labeler/internal/loadgen"
)

// probotVersion is the Probot release scripts/setup-probot.sh installs.
const probotVersion = "14.3.2"

// runBot is `bench bot`: the load generator (internal/loadgen).
func runBot(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c, asJSON, keep, err := parseBotFlags(args, stderr)
	if err != nil {
		return err
	}
	if c.WorkDir, err = os.MkdirTemp("", "bench-bot-"); err != nil {
		return err
	}
	if keep {
		fmt.Fprintf(stderr, "bench bot: database and logs in %s\n", c.WorkDir)
	} else {
		defer os.RemoveAll(c.WorkDir)
	}
	report, err := loadgen.Run(ctx, c)
	if report != nil {
		if asJSON {
			report.WriteJSON(stdout)
		} else {
			report.WriteTable(stdout)
		}
	}
	return err
}

// parseBotFlags reads `bench bot [flags] [-- bot flags]`.
func parseBotFlags(args []string, stderr io.Writer) (c loadgen.Config, asJSON, keep bool, err error) {
	fs := flag.NewFlagSet("bench bot", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: bench bot [flags] [-- bot flags]\n\n"+
			"Posts signed pull_request deliveries (GitHub's examples, each its own pull request) at\n"+
			"increasing open-loop rates to a bot it starts on SQLite against a fake GitHub on loopback,\n"+
			"to 1 and 2 bots sharing a throw-away PostgreSQL, and to a minimal Probot app\n"+
			"(scripts/setup-probot.sh), and prints the answers and labels per second.\n\n")
		fs.PrintDefaults()
	}
	rates := fs.String("rates", "250,500,1000,2000,4000", "offered deliveries per second, one step each")
	fs.DurationVar(&c.Duration, "duration", 5*time.Second, "length of each step")
	fs.DurationVar(&c.Quiet, "quiet", 20*time.Second, "stop waiting for a step's labels after this long without one")
	fs.IntVar(&c.MaxInFlight, "max-inflight", 4096, "outstanding requests per target before sends are dropped (and counted as errors)")
	fs.StringVar(&c.URL, "url", "", "drive a running bot's webhook URL instead (answers only; needs "+ghapp.EnvWebhookSecret+")")
	fs.StringVar(&c.BotBinary, "bot", besideSelf("bot"), "the bot binary to start")
	postgres := fs.String("postgres", "1,2", "replica counts to run on a throw-away PostgreSQL cluster beside the bot on SQLite (empty: SQLite alone)")
	fs.StringVar(&c.ProbotDir, "probot", defaultProbotDir(), "Probot installed by scripts/setup-probot.sh (empty: bot alone)")
	fs.BoolVar(&asJSON, "json", false, "print one JSON object")
	fs.BoolVar(&keep, "keep", false, "keep the bot's database and the logs")
	fs.StringVar(&c.CPUProfile, "cpuprofile", "", "write the generator's and fake GitHub's CPU profile (not the bot's: see bot --pprof) to this file")
	if err = fs.Parse(args); err != nil {
		return c, false, false, err
	}
	c.BotArgs = fs.Args()
	if len(c.BotArgs) > 0 && c.BotArgs[0] == "--" {
		c.BotArgs = c.BotArgs[1:]
	}
	if c.Rates, err = positiveInts("--rates", *rates, "rate"); err != nil {
		return c, false, false, err
	}
	if *postgres != "" {
		if c.Postgres, err = positiveInts("--postgres", *postgres, "replica count"); err != nil {
			return c, false, false, err
		}
	}
	if c.Duration <= 0 || c.MaxInFlight < 1 {
		return c, false, false, usageErrorf("--duration and --max-inflight must be positive")
	}
	if c.URL != "" {
		if c.Secret = []byte(os.Getenv(ghapp.EnvWebhookSecret)); len(c.Secret) == 0 {
			return c, false, false, usageErrorf("--url needs %s", ghapp.EnvWebhookSecret)
		}
	} else if _, err := os.Stat(c.BotBinary); err != nil {
		return c, false, false, usageErrorf("--bot: %w (make build puts it beside bench)", err)
	}
	c.Progress = stderr
	return c, asJSON, keep, nil
}

// positiveInts parses a flag's comma-separated positive integers.
func positiveInts(flagName, value, what string) ([]int, error) {
	var ns []int
	for v := range strings.SplitSeq(value, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 1 {
			return nil, usageErrorf("%s %q: %q is not a positive %s", flagName, value, v, what)
		}
		ns = append(ns, n)
	}
	return ns, nil
}

// defaultProbotDir is where scripts/setup-probot.sh installs Probot.
func defaultProbotDir() string {
	cache := os.Getenv("COMMIT_LABELER_CACHE")
	if cache == "" {
		dir, err := os.UserCacheDir()
		if err != nil {
			return ""
		}
		cache = filepath.Join(dir, "commit-labeler")
	}
	return filepath.Join(cache, "probot-"+probotVersion)
}
