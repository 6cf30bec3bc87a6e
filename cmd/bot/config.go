package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"time"

	"github.com/commit-labeler/commit-labeler/adminauth"
	"github.com/commit-labeler/commit-labeler/delivery"
	"github.com/commit-labeler/commit-labeler/ghapp"
	"github.com/commit-labeler/commit-labeler/store"
)

// envPort is the listening port when --addr is not given (Probot's PORT).
const envPort = "PORT"

// options are the serve command's flags.
type options struct {
	addr              string
	dbPath            string
	modelDir          string
	dryRun            bool
	configPath        string
	workers           int
	redeliverInterval time.Duration
	redeliverWindow   time.Duration
	stopTimeout       time.Duration
	logLevel          string
	pprofAddr         string
	adminAddr         string
	adminURL          string
	adminTokenFile    string
}

// defaultDB is the bot's database when neither --db nor $DATABASE_URL
// names one.
const defaultDB = "commit-labeler-bot.db"

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("bot", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: bot [flags]        serve GitHub's webhooks\n       bot setup [flags]  register the GitHub App from app.yml\n       bot action [flags] label one GitHub Actions event with the job's token\n       bot migrate        move a SQLite bot's state to PostgreSQL\n\nEnvironment: %s, %s or %s, %s, %s, %s; for --admin-url, %s and %s.\n\n",
			ghapp.EnvAppID, ghapp.EnvPrivateKeyPath, ghapp.EnvPrivateKey, ghapp.EnvWebhookSecret, ghapp.EnvAPIURL, envPort,
			ghapp.EnvClientID, ghapp.EnvClientSecret)
		fs.PrintDefaults()
	}
	fs.StringVar(&o.addr, "addr", "", "listen address HOST:PORT (default :$PORT, :3000)")
	fs.StringVar(&o.dbPath, "db", store.DefaultSource(defaultDB), "database of deliveries and the job queue: a SQLite file, or postgres://… for several bots on one database (default $"+store.EnvDatabaseURL+" when set, else "+defaultDB+")")
	fs.StringVar(&o.modelDir, "model", "", "model directory (default: the shipped model)")
	fs.BoolVar(&o.dryRun, "dry-run", false, "compute labels but change nothing on GitHub")
	fs.StringVar(&o.configPath, "config", "", "app.env written by bot setup (default ~/.config/commit-labeler/app.env when it exists)")
	fs.IntVar(&o.workers, "workers", 32, "deliveries handled at once (each mostly waits for GitHub)")
	fs.DurationVar(&o.redeliverInterval, "redeliver-interval", 10*time.Minute, "how often to ask redelivery of missed deliveries (0: never)")
	fs.DurationVar(&o.redeliverWindow, "redeliver-window", delivery.DefaultRedeliveryWindow, "how far back to look for missed deliveries")
	fs.DurationVar(&o.stopTimeout, "shutdown-timeout", 30*time.Second, "how long running handlers may finish on SIGTERM")
	fs.StringVar(&o.logLevel, "log-level", "info", "debug, info, warn or error")
	fs.StringVar(&o.pprofAddr, "pprof", "", "serve Go profiles (/debug/pprof/) on this HOST:PORT (default: off)")
	fs.StringVar(&o.adminAddr, "admin", "", "serve the admin page (deliveries, queue, decisions, corrections, models) on this HOST:PORT, never on --addr; other than loopback only with --admin-url or --admin-token-file (default: off)")
	fs.StringVar(&o.adminURL, "admin-url", "", "the admin page's public URL, e.g. https://admin.example.com/: people sign in with GitHub there and see the repositories they can access; its callback must be one of the App's callback URLs (default: no sign-in)")
	fs.StringVar(&o.adminTokenFile, "admin-token-file", "", "file holding a bearer token (at least 32 characters) that opens the admin page and --pprof's profiles, for automation (default: none)")
	// The usage of --db says its default, which depends on the
	// environment: flag's own "(default …)" would say it twice.
	fs.Lookup("db").DefValue = ""
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if o.workers < 1 {
		return nil, fmt.Errorf("--workers %d: must be at least 1", o.workers)
	}
	return o, nil
}

// settings are the validated environment.
type settings struct {
	app    ghapp.Config
	secret []byte
	addr   string
	// access guards --admin and --pprof.
	access adminauth.Config
}

// loadSettings fills the environment's gaps from app.env, then reads and
// checks every setting. Errors name the setting, never its value.
func loadSettings(o *options) (*settings, error) {
	if err := ghapp.ApplyAppEnv(o.configPath); err != nil {
		return nil, err
	}
	secret := os.Getenv(ghapp.EnvWebhookSecret)
	if secret == "" {
		return nil, fmt.Errorf("%s is not set", ghapp.EnvWebhookSecret)
	}
	app, err := ghapp.ConfigFromEnv()
	if err != nil {
		return nil, err
	}
	addr := o.addr
	if addr == "" {
		port := os.Getenv(envPort)
		if port == "" {
			port = "3000"
		}
		if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
			return nil, fmt.Errorf("%s=%q is not a port number", envPort, port)
		}
		addr = ":" + port
	}
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return nil, fmt.Errorf("--addr %q: %w", addr, err)
	}
	access, err := adminAccess(o, app.APIURL)
	if err != nil {
		return nil, err
	}
	return &settings{app: app, secret: []byte(secret), addr: addr, access: access}, nil
}
