package webhook

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/google/go-github/v93/github"

	"github.com/commit-labeler/commit-labeler/delivery"
	"github.com/commit-labeler/commit-labeler/ghapp"
	"github.com/commit-labeler/commit-labeler/store"
)

// ActionEvents are the GitHub Actions events the Action mode handles.
var ActionEvents = []string{"pull_request", "pull_request_target", "push"}

// ErrActionEvent is returned for an event the Action mode does not handle.
var ErrActionEvent = errors.New("the Action handles pull_request, pull_request_target and push events")

// Action handles the events of a GitHub Actions job (`bot action`) through
// the App's pull_request and push handlers.
type Action struct {
	pull *pullRequestHandler
	push *pushHandler
	// db, clients, configs, botUser and log serve RestorePullLabels.
	db      *store.DB
	clients *ghapp.InstallationPool
	configs *repoConfigs
	botUser string
	log     *slog.Logger
}

// NewAction checks cfg and returns the Action mode's handlers.
func NewAction(cfg HandlersConfig) (*Action, error) {
	set, err := newHandlerSet(cfg)
	if err != nil {
		return nil, err
	}
	return set.action, nil
}

// HandleAction handles one GitHub Actions event (GITHUB_EVENT_NAME and the
// payload at GITHUB_EVENT_PATH) through the same handlers as the App's
// deliveries, runID standing for the delivery id. The store starts empty
// in each job, so the pull request's label history is first read from
// GitHub (RestorePullLabels): a label a maintainer removed stays removed.
func (a *Action) HandleAction(ctx context.Context, eventName, runID string, payload []byte) error {
	return a.handleAction(ctx, eventName, delivery.Run{ID: runID, Attempt: 1}, payload)
}

// ReportAction handles one GitHub Actions event as HandleAction does,
// reading GitHub but writing nothing to it: every check run a writing run
// would create goes to OnCheckRun only. It is the run of a token that
// cannot write (a fork's pull request under the pull_request event).
func (a *Action) ReportAction(ctx context.Context, eventName, runID string, payload []byte) error {
	return a.handleAction(ctx, eventName, delivery.Run{ID: runID, Attempt: 1, ReportOnly: true}, payload)
}

// handleAction handles one GitHub Actions event in run.
func (a *Action) handleAction(ctx context.Context, eventName string, run delivery.Run, payload []byte) error {
	ctx, runID := delivery.WithRun(ctx, run), run.ID
	switch eventName {
	case "pull_request", "pull_request_target":
		// pull_request_target runs in the base repository's context with
		// the same payload as pull_request.
		eventName = "pull_request"
		ev, err := decode[github.PullRequestEvent](eventName, runID, payload)
		if err != nil {
			return err
		}
		if ev.GetRepo().GetOwner().GetLogin() == "" || ev.GetRepo().GetName() == "" || ev.GetNumber() == 0 {
			return delivery.Permanent(fmt.Errorf("%s event: no repository or pull request number in the payload", eventName))
		}
		if err := a.RestorePullLabels(ctx, ev.GetRepo().GetOwner().GetLogin(), ev.GetRepo().GetName(), ev.GetNumber()); err != nil {
			return err
		}
		return a.pull.Handle(ctx, eventName, runID, payload)
	case "push":
		return a.push.Handle(ctx, eventName, runID, payload)
	}
	return delivery.Permanent(fmt.Errorf("event %q: %w", eventName, ErrActionEvent))
}

// RestorePullLabels replays a pull request's label events on GitHub
// (GET /repos/{owner}/{repo}/issues/{number}/events) into the store's
// label state, as the App would have recorded them delivery by delivery:
// labels the bot's user added are the bot's; labels a person added or
// removed are theirs, never removed or added back by the bot.
func (a *Action) RestorePullLabels(ctx context.Context, owner, name string, number int) error {
	r := repoRef{owner: owner, name: name}
	id, err := a.clients.RepositoryInstallation(ctx, owner, name)
	if err != nil {
		return err
	}
	r.installationID = id
	gh, err := a.clients.Installation(id)
	if err != nil {
		return err
	}
	cfg, _, err := a.configs.load(ctx, gh, r, nil)
	if err != nil {
		return err
	}
	list := ghapp.List{Name: fmt.Sprintf("events of %s#%d", r, number), Cap: ghapp.MaxIssueEvents}
	pages := func(p ghapp.Page) ([]*github.IssueEvent, *github.Response, error) {
		return gh.Issues.ListIssueEvents(ctx, owner, name, number, &github.ListOptions{Page: p.Number, PerPage: ghapp.PageSize})
	}
	for ev, err := range ghapp.ReadList(ctx, a.log, list, pages) {
		if err != nil {
			var gerr *github.ErrorResponse
			if errors.As(err, &gerr) && gerr.Response.StatusCode == http.StatusNotFound {
				return nil // a new pull request's issue may not be listed yet
			}
			return fmt.Errorf("label history of %s#%d: %w", r, number, err)
		}
		if ev.GetEvent() != "labeled" && ev.GetEvent() != "unlabeled" {
			continue
		}
		label, ok := cfg.VocabularyLabel(ev.GetLabel().GetName())
		if !ok {
			continue
		}
		actor := ev.GetActor()
		bot := actor.GetLogin() == a.botUser
		var st string
		switch {
		case bot && ev.GetEvent() == "unlabeled":
			err = a.db.ForgetBotLabels(ctx, r.String(), number, []string{label})
		case bot:
			st = store.PullLabelBotApplied
		case actor.GetType() == "Bot":
			continue // another bot's change is not a maintainer's
		case ev.GetEvent() == "labeled":
			st = store.PullLabelHumanAdded
		default:
			st = store.PullLabelHumanRemoved
		}
		if err == nil && st != "" {
			err = a.db.SetPullLabel(ctx, r.String(), number, store.PullLabel{
				Label: label, GitHubLabel: ev.GetLabel().GetName(), State: st, Sender: actor.GetLogin(), DeliveryID: "history",
			})
		}
		if err != nil {
			return err
		}
	}
	return nil
}
