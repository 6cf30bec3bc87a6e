// Package webhook handles GitHub's webhook events once package delivery
// has received them: its event handlers, each built from the parts it uses
// (NewHandlers, NewAction), label pull requests, create the check runs
// that explain the labels (their prose is package checkrun's), record
// maintainers' corrections and keep the App's installations. GitHub
// clients come from package ghapp.
package webhook

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	commitlabeler "github.com/commit-labeler/commit-labeler"
	"github.com/commit-labeler/commit-labeler/delivery"
	"github.com/commit-labeler/commit-labeler/ghapp"
	"github.com/commit-labeler/commit-labeler/store"
)

// HandlersConfig is what the event handlers are built from.
type HandlersConfig struct {
	// Store keeps installations, predictions, label ownership, corrections
	// and the configuration cache.
	Store *store.DB
	// Clients authenticates as installations (*ghapp.Clients).
	Clients ghapp.InstallationClients
	// Classifier decides labels when no Conventional Commits title does,
	// in repositories without a model of their own.
	Classifier Classifier
	// RepositoryModels, when set, serves each repository the model the
	// learning worker learned for it, where it has an accepted one.
	RepositoryModels *RepositoryModels
	// Learning, when set, is asked to learn a repository when the App is
	// installed on it, when its configuration file changes and when its
	// default branch moves a day or more after its last learning.
	Learning LearnEnqueuer
	// AppSlug is the App's slug: its bot user is "<slug>[bot]", whose
	// events are ignored.
	AppSlug string
	// DryRun computes, logs and stores everything but writes nothing to GitHub.
	DryRun bool
	// Logger defaults to slog.Default().
	Logger *slog.Logger
	// Vocabulary defaults to commitlabeler.Default().
	Vocabulary *commitlabeler.Vocabulary
	// ConfigTTL is how long a repository's configuration file is cached
	// (default 5 minutes); a push changing it drops the cache at once.
	ConfigTTL time.Duration
	// Transport options of every installation's client (retries, waits).
	Transport []ghapp.TransportOption
	// Classifications, when set, counts the labels predicted.
	Classifications ClassificationCounter
	// OnCheckRun, when set, is given every check run the handlers write,
	// with GitHub's refusal if any, and in a run that only reports
	// (ReportAction) every check run a writing run would create: the
	// Action mode copies each into the job's summary, which a token that
	// cannot write checks leaves readable.
	OnCheckRun func(CheckRunReport)
}

// defaultConfigTTL is how long a configuration file is trusted.
const defaultConfigTTL = 5 * time.Minute

// handlerSet is every handler the bot and the Action run, each holding
// only the parts it uses; the parts they share are built once.
type handlerSet struct {
	pull         *pullRequestHandler
	push         *pushHandler
	installation *installationHandler
	action       *Action
}

// newHandlerSet checks cfg and builds the handlers from it.
func newHandlerSet(cfg HandlersConfig) (*handlerSet, error) {
	switch {
	case cfg.Store == nil:
		return nil, errors.New("webhook: handlers: no store")
	case cfg.Clients == nil:
		return nil, errors.New("webhook: handlers: no GitHub clients")
	case cfg.Classifier == nil:
		return nil, errors.New("webhook: handlers: no classifier")
	case cfg.AppSlug == "":
		return nil, errors.New("webhook: handlers: the App slug is empty (its bot user's events could not be told apart)")
	}
	log, vocab, ttl := cfg.Logger, cfg.Vocabulary, cfg.ConfigTTL
	if log == nil {
		log = slog.Default()
	}
	if vocab == nil {
		vocab = commitlabeler.Default()
	}
	if ttl <= 0 {
		ttl = defaultConfigTTL
	}
	db := cfg.Store
	// The Transport logs through the same logger unless an option says otherwise.
	clients := ghapp.NewInstallationPool(cfg.Clients, append([]ghapp.TransportOption{ghapp.WithTransportLogger(log)}, cfg.Transport...)...)
	repos := repoResolver{clients: clients, botUser: cfg.AppSlug + "[bot]"}
	configs := &repoConfigs{db: db, ttl: ttl, vocab: vocab}
	labeling := &repoLabeling{
		models:    &modelServer{global: cfg.Classifier, repos: cfg.RepositoryModels, vocab: vocab, counter: cfg.Classifications},
		configs:   configs,
		checkRuns: &checkRunWriter{dryRun: cfg.DryRun, onCheckRun: cfg.OnCheckRun},
	}
	learning := learner{queue: cfg.Learning, log: log}
	set := &handlerSet{
		pull: &pullRequestHandler{db: db, clients: clients, repos: repos, labeling: labeling, labels: &labelWriter{vocab: vocab},
			learning: learning, log: log},
		push:         &pushHandler{db: db, clients: clients, repos: repos, labeling: labeling, learning: learning, log: log},
		installation: &installationHandler{db: db, learning: learning, log: log},
	}
	set.action = &Action{pull: set.pull, push: set.push, db: db, clients: clients, configs: configs, botUser: repos.botUser, log: log}
	return set, nil
}

// NewHandlers checks cfg and returns the handlers of every event type the
// bot acts on: pull_request, push, installation and
// installation_repositories.
func NewHandlers(cfg HandlersConfig) ([]delivery.Handler, error) {
	set, err := newHandlerSet(cfg)
	if err != nil {
		return nil, err
	}
	return set.handlers(), nil
}

// handlers are the handlers of every event type the bot acts on.
func (s *handlerSet) handlers() []delivery.Handler {
	return []delivery.Handler{s.pull, s.push, s.installation}
}

// decode parses a payload into the event type, permanently failing on
// malformed JSON.
func decode[T any](eventType, deliveryID string, payload []byte) (*T, error) {
	v := new(T)
	if err := json.Unmarshal(payload, v); err != nil {
		return nil, delivery.Permanent(fmt.Errorf("%s delivery %s: payload: %w", eventType, deliveryID, err))
	}
	return v, nil
}
