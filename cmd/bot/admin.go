package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/commit-labeler/commit-labeler/admin"
	"github.com/commit-labeler/commit-labeler/adminauth"
	"github.com/commit-labeler/commit-labeler/classify"
	"github.com/commit-labeler/commit-labeler/delivery"
	"github.com/commit-labeler/commit-labeler/ghapp"
	"github.com/commit-labeler/commit-labeler/models"
	"github.com/commit-labeler/commit-labeler/store"
)

// serveAdmin serves the admin page (package admin) on addr until ctx
// ends, behind guard: a listener of its own, like --pprof's, so that what
// the bot knows of every repository is never reachable through the
// webhook address. Pull requests are linked on the web root of apiURL's
// GitHub.
func serveAdmin(ctx context.Context, addr string, guard *adminauth.Guard, db *store.DB, metrics *delivery.Metrics, modelDir, apiURL string, log *slog.Logger) error {
	webURL, err := ghapp.WebURL(apiURL)
	if err != nil {
		return fmt.Errorf("--admin: %s: %w", ghapp.EnvAPIURL, err)
	}
	handler := guard.Admin(admin.Handler(admin.Config{Store: db, Metrics: metrics.Gatherer(), GlobalModel: globalModelName(modelDir),
		WebURL: webURL, Log: log, Viewer: guard.Viewer}))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("--admin %s: %w", addr, err)
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second, WriteTimeout: time.Minute}
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	log.Info("admin page served", "addr", ln.Addr().String())
	go srv.Serve(ln)
	return nil
}

// globalModelName names the model --model loads (the shipped one when
// empty) by its kind, as the admin page shows it; the directory alone
// when its model.json cannot be read, which the handlers report anyway.
func globalModelName(modelDir string) string {
	dir, what := modelDir, modelDir
	if dir == "" {
		var err error
		if dir, err = models.DefaultDir(); err != nil {
			return "the shipped model"
		}
		what = "the shipped model"
	}
	meta, err := classify.ReadMeta(dir)
	if err != nil {
		return what
	}
	return fmt.Sprintf("%s (%s)", meta.Kind, what)
}
