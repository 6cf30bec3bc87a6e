package delivery

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/commit-labeler/commit-labeler/classify"
	"github.com/commit-labeler/commit-labeler/store"
)

// repositoryModelFigures reports, at scrape time, how each repository's
// newest learning was judged (the figures of learnjob.Figures) and how
// many learning workers are alive: learning is otherwise seen only in the
// worker's log.
type repositoryModelFigures struct {
	db  *store.DB
	log *slog.Logger

	accepted, version, macroF1, precision, coverage, workers *prometheus.Desc
}

func newRepositoryModelFigures(db *store.DB, log *slog.Logger) *repositoryModelFigures {
	desc := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc(prometheus.BuildFQName(metricsNamespace, "learn", name), help, labels, nil)
	}
	const judged = " on the newest commits of the repository's newest learning, by model: global or repository."
	return &repositoryModelFigures{db: db, log: log,
		accepted:  desc("model_accepted", "1 when the repository's newest learned model was accepted, 0 when refused (the admin page and train runs say why).", "repo"),
		version:   desc("model_version", "The version of the repository's newest learned model.", "repo"),
		macroF1:   desc("model_macro_f1", "Macro-F1"+judged, "repo", "model"),
		precision: desc("model_applied_precision", "Precision of the labels applied"+judged, "repo", "model"),
		coverage:  desc("model_applied_coverage", "Share of commits labeled at all"+judged, "repo", "model"),
		workers:   desc("workers_alive", "Learning workers (train worker) whose heartbeat is recent: learn jobs wait while it is 0."),
	}
}

func (f *repositoryModelFigures) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{f.accepted, f.version, f.macroF1, f.precision, f.coverage, f.workers} {
		ch <- d
	}
}

func (f *repositoryModelFigures) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	now := time.Now()
	workers, err := f.db.Workers(ctx, now.Add(-24*time.Hour))
	if err != nil {
		f.log.Warn("learning metrics", "err", err)
		return
	}
	alive := 0
	for _, w := range workers {
		if w.Alive(now) {
			alive++
		}
	}
	ch <- prometheus.MustNewConstMetric(f.workers, prometheus.GaugeValue, float64(alive))
	served, err := f.db.RepositoriesServed(ctx, store.AllRepos)
	if err != nil {
		f.log.Warn("learning metrics", "err", err)
		return
	}
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	for _, s := range served {
		if s.Latest.Version == 0 {
			continue
		}
		accepted := 0.0
		if s.Latest.Accepted {
			accepted = 1
		}
		gauge(f.accepted, accepted, s.Repo)
		gauge(f.version, float64(s.Latest.Version), s.Repo)
		var l classify.Learned
		if json.Unmarshal(s.Latest.Report, &l) != nil {
			continue // a report the page shows as unreadable
		}
		for model, m := range map[string]*classify.Metrics{"global": l.Global, "repository": l.Learned} {
			if m == nil {
				continue
			}
			gauge(f.macroF1, m.MacroF1, s.Repo, model)
			gauge(f.precision, m.AppliedPrecision, s.Repo, model)
			gauge(f.coverage, m.AppliedCoverage, s.Repo, model)
		}
	}
}
