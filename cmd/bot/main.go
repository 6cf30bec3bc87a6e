// Command bot is commit-labeler's GitHub App: a webhook server that labels
// pull requests. `bot setup` registers the App from app.yml.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/commit-labeler/commit-labeler/adminauth"
	"github.com/commit-labeler/commit-labeler/delivery"
	"github.com/commit-labeler/commit-labeler/ghapp"
	"github.com/commit-labeler/commit-labeler/store"
)

// Exit codes: 2 for bad flags or settings, 1 for failures while running.
const (
	exitFailure = 1
	exitUsage   = 2
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "setup":
			return runSetup(ctx, args[1:], stderr)
		case "action":
			return runAction(ctx, args[1:], stdout, stderr)
		case "migrate":
			return runMigrate(ctx, args[1:], stdout, stderr)
		}
	}
	o, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "bot: %v\n", err)
		return exitUsage
	}
	s, err := loadSettings(o)
	if err != nil {
		fmt.Fprintf(stderr, "bot: %v\n", err)
		return exitUsage
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(o.logLevel)); err != nil {
		fmt.Fprintf(stderr, "bot: --log-level %q: %v\n", o.logLevel, err)
		return exitUsage
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	if err := serve(ctx, o, s, log); err != nil {
		log.Error("bot stopped", "err", err)
		return exitFailure
	}
	return 0
}

// gcPercent is the bot's GOGC unless the environment sets one. Its live
// heap is tens of MB while it allocates hundreds of MB per second decoding
// payloads and answers, so Go's default (100) collects several times a
// second: 400 costs about 10% less CPU per labeled pull request under load
// for a heap that may grow to five times the live one.
const gcPercent = 400

// checkpointInterval is how often the store's WAL is copied into the
// database file, off the intake's path (store.WithBackgroundCheckpoints).
const checkpointInterval = 100 * time.Millisecond

// serve runs the bot until ctx ends, then shuts down gracefully: it stops
// accepting, lets running handlers finish within the shutdown timeout and
// leaves the rest queued for the next start.
func serve(ctx context.Context, o *options, s *settings, log *slog.Logger) error {
	db, err := store.Open(ctx, o.dbPath, store.WithBackgroundCheckpoints(checkpointInterval))
	if err != nil {
		return err
	}
	defer db.Close()
	metrics := delivery.NewMetrics()
	s.app.Transport = metrics.Transport(gitHubTransport(o.workers))
	clients, err := ghapp.New(s.app)
	if err != nil {
		return err
	}
	handlers, closeModels, err := newHandlers(handlerDeps{Clients: clients, DB: db, Metrics: metrics, Log: log, ModelDir: o.modelDir, DryRun: o.dryRun})
	if err != nil {
		return fmt.Errorf("event handlers (--model %q): %w", o.modelDir, err)
	}
	// Deferred after the store's Close, so run before it, and after
	// srv.Stop below has let the running handlers finish.
	defer closeModels()
	dispatcher := delivery.NewDispatcher(log, handlers...)
	srv, err := delivery.NewServer(ctx, db, s.secret, dispatcher, delivery.WithLogger(log), delivery.WithMetrics(metrics),
		delivery.WithWorkers(o.workers), delivery.WithStopTimeout(o.stopTimeout))
	if err != nil {
		return err
	}
	// The queue outlives ctx: Stop below drains it.
	if err := srv.Start(context.WithoutCancel(ctx)); err != nil {
		srv.Stop(context.Background())
		return err
	}
	if o.redeliverInterval > 0 {
		r := &delivery.Redeliverer{App: clients.App(), DB: db, Handles: dispatcher.Handles, Window: o.redeliverWindow, Metrics: metrics, Log: log}
		go r.Run(ctx, o.redeliverInterval)
	}

	s.access.Log = log
	guard, err := adminauth.New(s.access)
	if err != nil {
		srv.Stop(context.Background())
		return err
	}
	if o.pprofAddr != "" {
		if err := servePprof(ctx, o.pprofAddr, guard, log); err != nil {
			srv.Stop(context.Background())
			return err
		}
	}
	if o.adminAddr != "" {
		if err := serveAdmin(ctx, o.adminAddr, guard, db, metrics, o.modelDir, s.app.APIURL, log); err != nil {
			srv.Stop(context.Background())
			return err
		}
	}
	ln, err := net.Listen("tcp", s.addr)
	if err != nil {
		srv.Stop(context.Background())
		return fmt.Errorf("listen on %s: %w", s.addr, err)
	}
	httpSrv := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 2 * time.Minute}
	log.Info("listening", "addr", ln.Addr().String(), "events", dispatcher.Events(), "api", s.app.APIURL, "dry_run", o.dryRun)
	served := make(chan error, 1)
	go func() { served <- httpSrv.Serve(ln) }()

	select {
	case err = <-served:
	case <-ctx.Done():
		log.Info("shutting down")
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), o.stopTimeout+10*time.Second)
	defer cancel()
	if serr := httpSrv.Shutdown(shutdownCtx); serr != nil && err == nil {
		err = serr
	}
	if serr := srv.Stop(shutdownCtx); serr != nil && err == nil {
		err = serr
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// gitHubTransport keeps a connection per worker alive to GitHub: the
// default two idle connections per host make busy workers dial anew for
// most calls.
func gitHubTransport(workers int) http.RoundTripper {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = max(workers, t.MaxIdleConnsPerHost)
	return t
}
