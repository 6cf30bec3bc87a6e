// Package admin serves the bot's admin page: deliveries per hour and their
// outcomes, the deliveries refused by reason, the queue's depth, the learn
// jobs (one waiting while no learning worker is alive, or running on a
// dead one, flagged), each repository's recent decisions (linked pull
// request, title, labels as applied, held back or dry run, confidence,
// which model decided), maintainers' corrections and the model serving
// each repository with how its newest learning was judged.
//
// cmd/bot serves it on a listener of its own (--admin), never on the
// public webhook address, because it shows what the bot knows of every
// installation's repositories. Each view shows what its viewer may see
// (Viewer): the operator everything; a person signed in with GitHub the
// rows of the repositories GitHub says they can access, and none of the
// process-wide figures (the queue, the requests since start, the learning
// workers' hosts), which would tell of the others. It is rendered on the
// server from the store and the bot's metrics, with no script and no
// external asset, so that it works wherever the bot runs.
package admin

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river/rivertype"

	"github.com/commit-labeler/commit-labeler/learnjob"
	"github.com/commit-labeler/commit-labeler/store"
)

// Store is what the page reads from the bot's database; *store.DB
// implements it.
type Store interface {
	// DeliveriesPerHour counts the deliveries of scope received since
	// since's hour, by hour and status.
	DeliveriesPerHour(ctx context.Context, scope store.RepoScope, since time.Time) ([]store.HourlyDeliveries, error)
	// RecentPredictions returns up to perRepo newest predictions of each of
	// the repos repositories of scope predicted for last.
	RecentPredictions(ctx context.Context, scope store.RepoScope, repos, perRepo int) ([]store.BotPrediction, error)
	// RecentCorrections returns the newest label changes of maintainers in
	// the repositories of scope.
	RecentCorrections(ctx context.Context, scope store.RepoScope, limit int) ([]store.Correction, error)
	// RepositoriesServed lists every known repository of scope and its model.
	RepositoriesServed(ctx context.Context, scope store.RepoScope) ([]store.RepositoryServing, error)
	// RiverJobs returns the newest jobs of a kind of the repositories of
	// scope: the learn jobs.
	RiverJobs(ctx context.Context, kind string, scope store.RepoScope, limit int) ([]*rivertype.JobRow, error)
	// Workers lists the learning workers seen since since.
	Workers(ctx context.Context, since time.Time) ([]store.Worker, error)
}

// Defaults of Config's bounds.
const (
	DefaultHours         = 24
	DefaultRepositories  = 20
	DefaultPerRepository = 10
	DefaultCorrections   = 50
	DefaultLearnJobs     = 30
)

// readTimeout bounds the reads of one page view, so that a stuck store
// answers an error rather than a page that never comes.
const readTimeout = 10 * time.Second

// Config says where the page's data comes from and how much of it to show.
type Config struct {
	// Store is the bot's database.
	Store Store
	// Metrics are the bot's metrics (delivery.Metrics.Gatherer), for the
	// queue's depth and the outcomes of requests since the process
	// started; nil leaves them out.
	Metrics prometheus.Gatherer
	// GlobalModel names the model serving repositories without their own,
	// e.g. its kind and directory.
	GlobalModel string
	// Hours is how many hours of deliveries the page counts
	// (DefaultHours when 0).
	Hours int
	// Repositories and PerRepository bound the recent decisions shown
	// (DefaultRepositories and DefaultPerRepository when 0).
	Repositories, PerRepository int
	// Corrections bounds the corrections shown (DefaultCorrections when 0).
	Corrections int
	// LearnJobs bounds the learn jobs shown (DefaultLearnJobs when 0).
	LearnJobs int
	// WebURL is GitHub's web root, which pull requests are linked on
	// (https://github.com/ when empty; a GitHub Enterprise Server's own).
	WebURL string
	// Log receives the errors of page views (slog.Default() when nil).
	Log *slog.Logger
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// Viewer says who asks for a view and what they may see; nil makes
	// every view the operator's (OperatorView), for a page only the
	// operator reaches.
	Viewer func(*http.Request) Viewer
}

// Viewer is who a view is for.
type Viewer struct {
	// Login is the GitHub login of a person signed in ("" for the
	// operator: the page on loopback, or a bearer token).
	Login string
	// Scope is the repositories whose rows the view shows. A scope other
	// than store.AllRepos also leaves out the process-wide figures.
	Scope store.RepoScope
	// SignOut is the path a signed-in person signs out at ("" for none).
	SignOut string
}

// OperatorView is the operator's view: every repository and every figure.
var OperatorView = Viewer{Scope: store.AllRepos}

// templateFS holds the page's template.
//
//go:embed templates
var templateFS embed.FS

// pageTemplate renders the page: one self-contained document with inline
// CSS and SVG, every text escaped by html/template.
var pageTemplate = template.Must(template.ParseFS(templateFS, "templates/admin.html.tmpl"))

// Handler serves the page at "/" and 404 for every other path.
func Handler(c Config) http.Handler {
	if c.Hours <= 0 {
		c.Hours = DefaultHours
	}
	if c.Repositories <= 0 {
		c.Repositories = DefaultRepositories
	}
	if c.PerRepository <= 0 {
		c.PerRepository = DefaultPerRepository
	}
	if c.Corrections <= 0 {
		c.Corrections = DefaultCorrections
	}
	if c.LearnJobs <= 0 {
		c.LearnJobs = DefaultLearnJobs
	}
	if c.WebURL == "" {
		c.WebURL = "https://github.com/"
	}
	if c.Log == nil {
		c.Log = slog.Default()
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Viewer == nil {
		c.Viewer = func(*http.Request) Viewer { return OperatorView }
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", c.servePage)
	return mux
}

// servePage renders the whole page before writing it, so that a failed
// read answers 500 rather than half a page.
func (c Config) servePage(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), readTimeout)
	defer cancel()
	p, err := c.read(ctx, c.Viewer(r))
	var buf bytes.Buffer
	if err == nil {
		err = pageTemplate.Execute(&buf, p)
	}
	if err != nil {
		c.Log.ErrorContext(ctx, "admin page", "err", err)
		http.Error(w, "admin page unavailable: see the bot's log", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	// The page shows the state at one moment: never a cached one.
	w.Header().Set("Cache-Control", "no-store")
	buf.WriteTo(w)
}

// read gathers everything the page shows v.
func (c Config) read(ctx context.Context, v Viewer) (*page, error) {
	now := c.Now().UTC()
	since := now.Truncate(time.Hour).Add(-time.Duration(c.Hours-1) * time.Hour)
	hourly, err := c.Store.DeliveriesPerHour(ctx, v.Scope, since)
	if err != nil {
		return nil, fmt.Errorf("deliveries per hour: %w", err)
	}
	preds, err := c.Store.RecentPredictions(ctx, v.Scope, c.Repositories, c.PerRepository)
	if err != nil {
		return nil, fmt.Errorf("recent decisions: %w", err)
	}
	corrections, err := c.Store.RecentCorrections(ctx, v.Scope, c.Corrections)
	if err != nil {
		return nil, fmt.Errorf("corrections: %w", err)
	}
	served, err := c.Store.RepositoriesServed(ctx, v.Scope)
	if err != nil {
		return nil, fmt.Errorf("models served: %w", err)
	}
	jobs, err := c.Store.RiverJobs(ctx, learnjob.Kind, v.Scope, c.LearnJobs)
	if err != nil {
		return nil, fmt.Errorf("learn jobs: %w", err)
	}
	// A running job's worker may have died long ago: a day of workers.
	workers, err := c.Store.Workers(ctx, now.Add(-24*time.Hour))
	if err != nil {
		return nil, fmt.Errorf("learning workers: %w", err)
	}
	// The metrics count every repository's requests and jobs: the
	// operator's alone.
	haveMetrics := c.Metrics != nil && v.Scope.All()
	var counts metricCounts
	if haveMetrics {
		// A collector failing leaves its rows out, not the page.
		if counts, err = gatherCounts(c.Metrics); err != nil {
			c.Log.WarnContext(ctx, "admin page: metrics", "err", err)
		}
	}
	return buildPage(pageInput{
		now: now, since: since, hours: c.Hours, globalModel: c.GlobalModel, haveMetrics: haveMetrics, viewer: v,
		hourly: hourly, predictions: preds, corrections: corrections, served: served, counts: counts,
		learnJobs: learnjob.Statuses(jobs, workers, now), workers: workers, webURL: c.WebURL,
	}), nil
}
