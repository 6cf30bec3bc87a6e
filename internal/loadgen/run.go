package loadgen

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/commit-labeler/commit-labeler/internal/pgtest"
)

// Config is a whole run.
type Config struct {
	// Rates are the offered deliveries per second, one step each.
	Rates []int
	// Duration is each step's length.
	Duration time.Duration
	// Quiet ends the wait for a step's labels when none came for that long.
	Quiet time.Duration
	// MaxInFlight bounds the outstanding requests per target.
	MaxInFlight int
	// URL, when set, is a running bot's webhook endpoint, signed with
	// Secret: the run then measures its answers only.
	URL    string
	Secret []byte
	// BotBinary and BotArgs start the bot when URL is empty.
	BotBinary string
	BotArgs   []string
	// Postgres lists replica counts: for each, that many bots share one
	// database of a throw-away PostgreSQL cluster and are measured beside
	// the bot on SQLite. Empty runs SQLite alone.
	Postgres []int
	// ProbotDir is where scripts/setup-probot.sh installed Probot; empty
	// runs the bot alone.
	ProbotDir string
	// WorkDir holds the bots' databases and the logs.
	WorkDir string
	// Progress receives a line per step.
	Progress io.Writer
	// CPUProfile, when set, is where the run writes its own CPU profile
	// (generator, fake GitHub): the harness shares the machine with the
	// bot, so what it costs is part of what limits the rates.
	CPUProfile string
}

// Run starts the fake GitHub, the bots and Probot as configured, and
// drives each rate against each target in turn, a bot's step waiting for
// its pull requests' labels before the next step starts.
func Run(ctx context.Context, c Config) (*Report, error) {
	ds, err := NewDeliveries()
	if err != nil {
		return nil, err
	}
	if c.CPUProfile != "" {
		stop, err := startCPUProfile(c.CPUProfile)
		if err != nil {
			return nil, err
		}
		defer stop()
	}
	report := NewReport(c.Duration, strings.Join(c.BotArgs, " "))
	var (
		gh      *FakeGitHub
		targets []Target
	)
	if c.URL != "" {
		targets = append(targets, Target{Name: "bot", URLs: []string{c.URL}, Secret: c.Secret})
	} else {
		if gh, err = StartFakeGitHub(ds); err != nil {
			return nil, err
		}
		defer gh.Close()
		bots, stop, err := startBotTargets(ctx, c, gh, report)
		if err != nil {
			return nil, err
		}
		defer stop()
		targets = append(targets, bots...)
	}
	if c.ProbotDir != "" {
		pb, err := startProbotTarget(ctx, c, gh, ds)
		if err != nil {
			report.ProbotError = err.Error()
		} else {
			defer pb.stop()
			targets = append(targets, pb.Target)
			report.ProbotVersion = probotVersion(c.ProbotDir)
		}
	}
	g := &Generator{Deliveries: ds, MaxInFlight: c.MaxInFlight, Timeout: 30 * time.Second}
	for _, rate := range c.Rates {
		for _, t := range targets {
			if ctx.Err() != nil {
				return report, ctx.Err()
			}
			st := g.Run(ctx, t, rate, c.Duration)
			var l *Labeling
			if t.BeforeSend != nil {
				cpu := t.cpu()
				lab := gh.WaitLabeled(ctx, st, c.Quiet)
				lab.CPU = st.CPU + t.cpu() - cpu
				l = &lab
			}
			row := NewRow(st, l)
			report.Rows = append(report.Rows, row)
			if c.Progress != nil {
				fmt.Fprintf(c.Progress, "bench: %s %d/s: accepted %.0f/s p99 %.1f ms errors %d\n",
					row.Label(), rate, row.AcceptedPerSec, row.P99Ms, row.Errors)
			}
		}
	}
	return report, nil
}

// startBotTargets starts the bot on SQLite and, for each count of
// c.Postgres, that many replicas on one database of a throw-away
// PostgreSQL cluster (internal/pgtest), all against gh. Where PostgreSQL
// cannot start, the report says why and the run goes on without it.
func startBotTargets(ctx context.Context, c Config, gh *FakeGitHub, report *Report) (targets []Target, stop func(), err error) {
	var stops cleanups
	stop = stops.run
	secret, err := randomSecret()
	if err != nil {
		return nil, nil, err
	}
	add := func(engine string, replicas int, db string) error {
		t := Target{Name: "bot", Engine: engine, Secret: secret, BeforeSend: gh.AddPull}
		var cpus []func() time.Duration
		for i := range replicas {
			dir := filepath.Join(c.WorkDir, fmt.Sprintf("bot-%s-x%d-%d", engine, replicas, i+1))
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
			p, err := StartBot(ctx, BotConfig{Binary: c.BotBinary, Args: c.BotArgs, Dir: dir, DB: db, Secret: secret, GitHub: gh})
			if err != nil {
				return err
			}
			stops.add(p.Stop)
			t.URLs, cpus = append(t.URLs, p.URL), append(cpus, p.CPUTime)
		}
		t.CPU = func() (sum time.Duration) {
			for _, cpu := range cpus {
				sum += cpu()
			}
			return sum
		}
		targets = append(targets, t)
		return nil
	}
	if err := add("sqlite", 1, ""); err != nil {
		stop()
		return nil, nil, err
	}
	if len(c.Postgres) == 0 {
		return targets, stop, nil
	}
	cluster, err := pgtest.StartCluster(pgtest.Durable())
	if err != nil {
		report.PostgresError = err.Error()
		return targets, stop, nil
	}
	stops.add(func() { cluster.Stop() })
	for i, replicas := range c.Postgres {
		url, err := cluster.CreateDatabase(fmt.Sprintf("bench_%d", i+1))
		if err == nil {
			err = add("postgres", replicas, url)
		}
		if err != nil {
			stop()
			return nil, nil, err
		}
	}
	return targets, stop, nil
}

// cleanups stops what a run started, the last started first.
type cleanups struct{ fns []func() }

func (c *cleanups) add(fn func()) { c.fns = append(c.fns, fn) }

func (c *cleanups) run() {
	for i := len(c.fns) - 1; i >= 0; i-- {
		c.fns[i]()
	}
}

// startCPUProfile profiles this process into path until stop is called.
func startCPUProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("loadgen: cpu profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("loadgen: cpu profile: %w", err)
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

// probotTarget is the running Probot app.
type probotTarget struct {
	Target
	stop func()
}

// startProbotTarget starts Probot against the same fake GitHub (a fresh
// one when the bot runs elsewhere), with a secret of its own.
func startProbotTarget(ctx context.Context, c Config, gh *FakeGitHub, ds *Deliveries) (*probotTarget, error) {
	secret, err := randomSecret()
	if err != nil {
		return nil, err
	}
	var stops cleanups
	stop := stops.run
	if gh == nil {
		if gh, err = StartFakeGitHub(ds); err != nil {
			return nil, err
		}
		stops.add(gh.Close)
	}
	p, err := StartProbot(ctx, ProbotConfig{Dir: c.ProbotDir, LogDir: c.WorkDir, Secret: secret, GitHub: gh})
	if err != nil {
		stop()
		return nil, err
	}
	stops.add(p.Stop)
	return &probotTarget{Target: Target{Name: "probot", URLs: []string{p.URL}, Secret: secret, CPU: p.CPUTime}, stop: stop}, nil
}

// probotVersion reads the installed probot's version, empty if unreadable.
func probotVersion(dir string) string {
	raw, err := os.ReadFile(filepath.Join(dir, "node_modules", "probot", "package.json"))
	if err != nil {
		return ""
	}
	var pkg struct {
		Version string `json:"version"`
	}
	json.Unmarshal(raw, &pkg)
	return pkg.Version
}

// randomSecret returns a fresh webhook secret.
func randomSecret() ([]byte, error) {
	b := make([]byte, 20)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("loadgen: webhook secret: %w", err)
	}
	return []byte(hex.EncodeToString(b)), nil
}
