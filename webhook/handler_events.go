package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/google/go-github/v93/github"

	commitlabeler "github.com/commit-labeler/commit-labeler"
	"github.com/commit-labeler/commit-labeler/checkrun"
	"github.com/commit-labeler/commit-labeler/ghapp"
	"github.com/commit-labeler/commit-labeler/repoconfig"
	"github.com/commit-labeler/commit-labeler/store"
)

// EventsConfig is what the event handlers need.
type EventsConfig struct {
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
	// Metrics, when set, counts the labels predicted (Classifications).
	Metrics *Metrics
	// OnCheckRun, when set, is given every check run the handlers write,
	// with GitHub's refusal if any, and in a run that only reports
	// (ReportAction) every check run a writing run would create: the
	// Action mode copies each into the job's summary, which a token that
	// cannot write checks leaves readable.
	OnCheckRun func(CheckRunReport)
}

// defaultConfigTTL is how long a configuration file is trusted.
const defaultConfigTTL = 5 * time.Minute

// Events handles the GitHub events the bot acts on: pull_request, push,
// installation and installation_repositories.
type Events struct {
	db      *store.DB
	clients *ghapp.InstallationPool
	model   Classifier
	// repoModels serves repositories their own models (nil: none).
	repoModels *RepositoryModels
	learning   LearnEnqueuer
	botUser    string
	dryRun     bool
	log        *slog.Logger
	vocab      *commitlabeler.Vocabulary
	ttl        time.Duration
	metrics    *Metrics
	onCheckRun func(CheckRunReport)
	// knownLabels are the repository labels ("owner/repo\x00name") seen
	// to exist or created: each is looked up on GitHub once per process,
	// not once per pull request.
	knownLabels sync.Map
}

// NewEvents checks cfg and returns the event handlers' shared state.
func NewEvents(cfg EventsConfig) (*Events, error) {
	switch {
	case cfg.Store == nil:
		return nil, errors.New("webhook: events: no store")
	case cfg.Clients == nil:
		return nil, errors.New("webhook: events: no GitHub clients")
	case cfg.Classifier == nil:
		return nil, errors.New("webhook: events: no classifier")
	case cfg.AppSlug == "":
		return nil, errors.New("webhook: events: the App slug is empty (its bot user's events could not be told apart)")
	}
	e := &Events{
		db:         cfg.Store,
		model:      cfg.Classifier,
		repoModels: cfg.RepositoryModels,
		learning:   cfg.Learning,
		botUser:    cfg.AppSlug + "[bot]",
		dryRun:     cfg.DryRun,
		log:        cfg.Logger,
		vocab:      cfg.Vocabulary,
		ttl:        cfg.ConfigTTL,
		metrics:    cfg.Metrics,
		onCheckRun: cfg.OnCheckRun,
	}
	if e.log == nil {
		e.log = slog.Default()
	}
	// The Transport logs through the same logger unless an option says otherwise.
	e.clients = ghapp.NewInstallationPool(cfg.Clients, append([]ghapp.TransportOption{ghapp.WithTransportLogger(e.log)}, cfg.Transport...)...)
	if e.vocab == nil {
		e.vocab = commitlabeler.Default()
	}
	if e.ttl <= 0 {
		e.ttl = defaultConfigTTL
	}
	return e, nil
}

// Handlers returns the handlers of every event type the bot acts on.
func (e *Events) Handlers() []Handler {
	return []Handler{&pullRequestHandler{e}, &pushHandler{e}, &installationHandler{e}}
}

// repoRef names a repository and the installation it is reached through.
type repoRef struct {
	installationID int64
	owner, name    string
	defaultBranch  string
}

func (r repoRef) String() string { return r.owner + "/" + r.name }

// refOf takes the repository and installation of an event. GitHub sends
// the installation with every App delivery; a payload without one (a
// repository webhook, a hand-made delivery) is resolved by asking GitHub
// which installation reaches the repository.
func (e *Events) refOf(ctx context.Context, repo *github.Repository, inst *github.Installation) (repoRef, error) {
	if repo == nil || repo.GetOwner().GetLogin() == "" || repo.GetName() == "" {
		return repoRef{}, Permanent(errors.New("payload has no repository"))
	}
	r := repoRef{owner: repo.GetOwner().GetLogin(), name: repo.GetName(), defaultBranch: repo.GetDefaultBranch(),
		installationID: inst.GetID()}
	if r.installationID == 0 {
		id, err := e.clients.RepositoryInstallation(ctx, r.owner, r.name)
		if errors.Is(err, ghapp.ErrNotInstalled) {
			return r, Permanent(fmt.Errorf("payload for %s has no installation: %w", r, err))
		}
		if err != nil {
			return r, fmt.Errorf("payload for %s has no installation: %w", r, err)
		}
		r.installationID = id
	}
	return r, nil
}

// isSelf reports whether the App's own bot user caused the event.
func (e *Events) isSelf(sender *github.User) bool {
	return sender.GetType() == "Bot" && sender.GetLogin() == e.botUser
}

// decode parses a payload into the event type, permanently failing on
// malformed JSON.
func decode[T any](eventType, deliveryID string, payload []byte) (*T, error) {
	v := new(T)
	if err := json.Unmarshal(payload, v); err != nil {
		return nil, Permanent(fmt.Errorf("%s delivery %s: payload: %w", eventType, deliveryID, err))
	}
	return v, nil
}

// reportConfigProblem logs an invalid configuration and reports its
// errors in a check run on sha, as explain does for a run that changes no
// label: while the file is invalid, none is changed (labelWrites).
func (e *Events) reportConfigProblem(ctx context.Context, gh *github.Client, r repoRef, sha string, cfg repoconfig.Config, problem error, log *slog.Logger) error {
	log.WarnContext(ctx, "invalid repository configuration: no label changes until it is fixed", "repo", r.String(), "error", problem)
	if sha == "" {
		return nil
	}
	return e.explain(ctx, gh, r, log, cfg, false, func() checkrun.Output { return checkrun.Config(sha, problem) })
}
