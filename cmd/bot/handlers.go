package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/commit-labeler/commit-labeler/classify"
	"github.com/commit-labeler/commit-labeler/delivery"
	"github.com/commit-labeler/commit-labeler/ghapp"
	"github.com/commit-labeler/commit-labeler/models"
	"github.com/commit-labeler/commit-labeler/store"
	"github.com/commit-labeler/commit-labeler/webhook"
)

// handlerDeps are what the event handlers are built from.
type handlerDeps struct {
	Clients *ghapp.Clients
	DB      *store.DB
	Metrics *delivery.Metrics
	Log     *slog.Logger
	// ModelDir is --model: empty for the shipped default model.
	ModelDir string
	// DryRun is --dry-run: compute labels, change nothing on GitHub.
	DryRun bool
}

// newHandlers builds the bot's event handlers (pull_request, push,
// installation, installation_repositories) and what closes the models
// they serve, once the handlers are done; tests replace it.
var newHandlers = eventHandlers

// fallbackAppSlug names the App's bot user when GitHub cannot be asked: the
// name app.yml registers.
const fallbackAppSlug = "commit-labeler"

// eventHandlers loads the model (--model, else the shipped default) and
// the repository models, and builds the event handlers around them.
// closeModels closes both (and the directory the repository models were
// unpacked in when it is this process's alone); on an error, what was
// opened is closed already.
func eventHandlers(d handlerDeps) (handlers []delivery.Handler, closeModels func(), err error) {
	clf, err := loadModel(d.ModelDir, d.Log)
	if err != nil {
		return nil, nil, err
	}
	closeModels = func() { clf.Close() }
	defer func() {
		if err != nil {
			closeModels()
		}
	}()
	// Where repository models are unpacked depends on whether other bots
	// share the database: the store's to say.
	modelsDir, removeModelsDir, err := d.DB.DerivedFilesDir("models")
	if err != nil {
		return nil, nil, err
	}
	repoModels, err := webhook.NewRepositoryModels(d.DB, modelsDir, 0, d.Log)
	if err != nil {
		removeModelsDir()
		return nil, nil, err
	}
	closeModels = func() {
		repoModels.Close()
		clf.Close()
		removeModelsDir()
	}
	learning, err := delivery.NewLearnQueue(d.DB)
	if err != nil {
		return nil, nil, err
	}
	handlers, err = webhook.NewHandlers(webhook.HandlersConfig{
		Store: d.DB, Clients: d.Clients, Classifier: clf, RepositoryModels: repoModels, Learning: learning, AppSlug: appSlug(d),
		DryRun: d.DryRun, Logger: d.Log, Classifications: d.Metrics,
	})
	if err != nil {
		return nil, nil, err
	}
	return handlers, closeModels, nil
}

// loadModel loads the model in dir (--model), else the shipped default.
func loadModel(dir string, log *slog.Logger) (*classify.Classifier, error) {
	if dir == "" {
		var err error
		if dir, err = models.DefaultDir(); err != nil {
			return nil, err
		}
	}
	clf, err := classify.LoadClassifier(dir)
	if err != nil {
		return nil, err
	}
	meta := clf.Meta()
	log.Info("model loaded", "dir", dir, "kind", meta.Kind, "labels", len(meta.Labels))
	return clf, nil
}

// appSlug asks GitHub for the App's slug, whose bot user's own events the
// handlers ignore. GitHub being unreachable at start-up must not keep the
// bot from taking deliveries, so it falls back to the manifest's name.
func appSlug(d handlerDeps) string {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	app, _, err := d.Clients.App().Apps.Get(ctx, "")
	if err != nil || app.GetSlug() == "" {
		d.Log.Warn("cannot read the App's slug; assuming the manifest's", "slug", fallbackAppSlug, "err", err)
		return fallbackAppSlug
	}
	return app.GetSlug()
}
