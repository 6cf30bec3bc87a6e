package webhook

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"

	"github.com/google/go-github/v93/github"

	"github.com/commit-labeler/commit-labeler/checkrun"
	"github.com/commit-labeler/commit-labeler/classify"
	"github.com/commit-labeler/commit-labeler/decision"
	"github.com/commit-labeler/commit-labeler/ghapp"
	"github.com/commit-labeler/commit-labeler/repoconfig"
	"github.com/commit-labeler/commit-labeler/store"
)

// pullRequestHandler labels pull requests and records maintainers' label
// changes as corrections.
type pullRequestHandler struct{ *Events }

// pullRequestDelivery is a pull_request payload whose pull request is
// decoded only when used: the handler reads the pull request from the API,
// and decoding the payload's copy took a fifth of a busy bot's CPU.
type pullRequestDelivery struct {
	github.PullRequestEvent
	// RawPullRequest is the payload's pull request, decoded into
	// PullRequestEvent.PullRequest by pullRequest.
	RawPullRequest json.RawMessage
}

// pullRequestDeliveryFields are the members of a pull_request payload the
// handlers read, besides its pull request.
var pullRequestDeliveryFields = []string{"action", "number", "changes", "label", "installation.id",
	"sender.login", "sender.type", "repository.name", "repository.owner.login", "repository.default_branch"}

// decodePullRequestDelivery decodes a pull_request payload's fields the
// handlers read, keeping its pull request raw.
func decodePullRequestDelivery(eventType, deliveryID string, payload []byte) (*pullRequestDelivery, error) {
	fields, taken, err := pickMembers(payload, pullRequestDeliveryFields, "pull_request")
	if err != nil {
		return nil, Permanent(fmt.Errorf("%s delivery %s: payload: %w", eventType, deliveryID, err))
	}
	ev, err := decode[github.PullRequestEvent](eventType, deliveryID, fields)
	if err != nil {
		return nil, err
	}
	return &pullRequestDelivery{PullRequestEvent: *ev, RawPullRequest: taken["pull_request"]}, nil
}

// hasPullRequest reports whether the payload holds a pull request.
func (d *pullRequestDelivery) hasPullRequest() bool {
	return len(d.RawPullRequest) > 0 && string(d.RawPullRequest) != "null"
}

// pullRequest decodes the payload's pull request (nil when absent), once.
func (d *pullRequestDelivery) pullRequest(deliveryID string) (*github.PullRequest, error) {
	if d.PullRequest != nil || !d.hasPullRequest() {
		return d.PullRequest, nil
	}
	pr, err := decodePullRequest(d.RawPullRequest)
	if err != nil {
		return nil, Permanent(fmt.Errorf("pull_request delivery %s: payload pull_request: %w", deliveryID, err))
	}
	d.PullRequest = pr
	return pr, nil
}

// pullRequestFields are the members of a pull request the handlers read.
var pullRequestFields = []string{"number", "state", "title", "body", "draft", "user.login", "user.type",
	"head.sha", "labels", "updated_at"}

// decodePullRequest decodes a pull request object, as GitHub's API and
// payloads give it, with only the fields the handlers read.
func decodePullRequest(data []byte) (*github.PullRequest, error) {
	fields, _, err := pickMembers(data, pullRequestFields)
	if err != nil {
		return nil, err
	}
	pr := new(github.PullRequest)
	if err := json.Unmarshal(fields, pr); err != nil {
		return nil, err
	}
	return pr, nil
}

func (h *pullRequestHandler) Handles() []string { return []string{"pull_request"} }

func (h *pullRequestHandler) Handle(ctx context.Context, eventType, deliveryID string, payload []byte) error {
	ev, err := decodePullRequestDelivery(eventType, deliveryID, payload)
	if err != nil {
		return err
	}
	action := ev.GetAction()
	switch action {
	case "opened", "reopened", "synchronize", "edited", "ready_for_review", "labeled", "unlabeled":
	default:
		return nil
	}
	r, err := h.refOf(ctx, ev.Repo, ev.Installation)
	if err != nil {
		return fmt.Errorf("pull_request delivery %s: %w", deliveryID, err)
	}
	log := h.log.With("delivery", deliveryID, "event", eventType, "action", action,
		"repo", r.String(), "pull", ev.GetNumber())
	if h.isSelf(ev.Sender) {
		log.DebugContext(ctx, "event caused by the bot itself: ignored")
		return nil
	}
	if action == "labeled" || action == "unlabeled" {
		err = h.correction(ctx, r, ev, deliveryID, log)
	} else {
		err = h.label(ctx, r, ev, deliveryID, log)
	}
	if err != nil {
		return fmt.Errorf("pull_request %s delivery %s on %s#%d: %w", action, deliveryID, r, ev.GetNumber(), err)
	}
	return nil
}

// label classifies the pull request and syncs its labels.
func (h *pullRequestHandler) label(ctx context.Context, r repoRef, ev *pullRequestDelivery, deliveryID string, log *slog.Logger) error {
	if action := ev.GetAction(); action == "edited" && ev.GetChanges().GetTitle() == nil && ev.GetChanges().GetBody() == nil {
		return nil // only the base branch changed
	}
	gh, err := h.clients.Installation(r.installationID)
	if err != nil {
		return err
	}
	// The pull request as it is now: a job may run (or rerun) after later
	// edits and pushes, which the payload does not show.
	number := ev.GetNumber()
	pr, err := getPullRequest(ctx, gh, r, number)
	fromAPI := err == nil
	switch {
	case fromAPI:
	case isClientError(err) && ev.hasPullRequest():
		log.WarnContext(ctx, "cannot read the pull request; using the delivery's copy", "err", err)
		if pr, err = ev.pullRequest(deliveryID); err != nil {
			return err
		}
	default:
		return fmt.Errorf("pull request %s#%d: %w", r, number, err)
	}
	if pr.GetState() == "closed" {
		log.InfoContext(ctx, "pull request closed since the event: skipped")
		return nil
	}
	served, release := h.servingModel(ctx, r.String())
	defer release()
	cfg, problem, err := h.repoConfig(ctx, gh, r, served.Classifier)
	if err != nil {
		return err
	}
	if problem != nil {
		if err := h.reportConfigProblem(ctx, gh, r, pr.GetHead().GetSHA(), cfg, problem, log); err != nil {
			return err
		}
	}
	switch {
	case !cfg.Enabled:
		log.InfoContext(ctx, "bot disabled by the repository configuration")
		return nil
	case cfg.IgnoresAuthor(pr.GetUser().GetLogin()):
		log.InfoContext(ctx, "author ignored by the repository configuration", "author", pr.GetUser().GetLogin())
		return nil
	case pr.GetDraft() && !cfg.LabelDrafts:
		log.InfoContext(ctx, "draft pull requests are not labeled in this repository")
		return nil
	}

	files, err := h.modelFiles(ctx, gh, r, number, pr.GetTitle(), log)
	if err != nil {
		return err
	}
	in := commitInput(pr.GetTitle(), pr.GetBody(), files)
	decisions, err := h.classify(ctx, served.Classifier, cfg, []classify.Commit{in})
	if err != nil {
		return err
	}
	d := decisions[0]

	st, _, err := h.db.PullState(ctx, r.String(), number)
	if err != nil {
		return err
	}
	present := pullLabels(pr, cfg)
	if !fromAPI {
		// The delivery's copy may be old: list the labels as they are now.
		listed, err := issueLabels(ctx, gh, r, number, cfg, log)
		switch {
		case err == nil:
			present = listed
		case isClientError(err):
			log.WarnContext(ctx, "cannot list the pull request's labels; using the delivery's", "err", err)
		default:
			return err
		}
	}
	plan := planLabels(d.Labels, d.Source, present, st)
	write, dryRun := h.labelWrites(ctx, cfg, problem)
	saved := store.PullPrediction{
		Repo: r.String(), Number: number, HeadSHA: pr.GetHead().GetSHA(),
		Prediction: botPrediction(r, number, pr.GetHead().GetSHA(), d, deliveryID, served),
	}
	saved.Prediction.Title, saved.Prediction.LabelActions = pr.GetTitle(), labelActions(plan, write)
	if write {
		for _, name := range plan.add {
			saved.Applying = append(saved.Applying, store.PullLabel{
				Label: name, GitHubLabel: cfg.GitHubLabel(name), DeliveryID: deliveryID,
			})
		}
	}
	if err := h.db.SavePullPrediction(ctx, saved); err != nil {
		return err
	}
	log.InfoContext(ctx, "pull request classified", "source", d.Source, "labels", checkrun.LabelNames(plan.lines, "applied", "kept"),
		"add", plan.add, "remove", plan.remove, "dry_run", dryRun)
	explained := func() checkrun.Output {
		if dryRun != "" {
			return checkrun.DryRun(checkrun.Pull(pr.GetHead().GetSHA(), d, in, checkrun.Unapplied(plan.lines), cfg, served.explained()), dryRun, plan.add, plan.remove, cfg)
		}
		return checkrun.Pull(pr.GetHead().GetSHA(), d, in, plan.lines, cfg, served.explained())
	}
	if write {
		if err := h.applyLabels(ctx, gh, r, number, plan, cfg, log); err != nil {
			return err
		}
		if err := h.db.ForgetBotLabels(ctx, r.String(), number, plan.remove); err != nil {
			return err
		}
	}
	return h.explain(ctx, gh, r, log, cfg, write, explained)
}

// getPullRequest is PullRequests.Get decoding with decodePullRequest.
func getPullRequest(ctx context.Context, gh *github.Client, r repoRef, number int) (*github.PullRequest, error) {
	req, err := gh.NewRequest(ctx, http.MethodGet, fmt.Sprintf("repos/%v/%v/pulls/%d", r.owner, r.name, number), nil)
	if err != nil {
		return nil, err
	}
	resp, err := gh.BareDo(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("read pull request %s#%d: %w", r, number, err)
	}
	pr, err := decodePullRequest(body)
	if err != nil {
		return nil, fmt.Errorf("decode pull request %s#%d: %w", r, number, err)
	}
	return pr, nil
}

// pullFiles lists a pull request's files with their patches, the first
// ghapp.MaxPullFiles of a larger one.
func pullFiles(ctx context.Context, gh *github.Client, r repoRef, number int, log *slog.Logger) ([]*github.CommitFile, error) {
	list := ghapp.List{Name: fmt.Sprintf("files of %s#%d", r, number), Cap: ghapp.MaxPullFiles}
	pages := func(p ghapp.Page) ([]*github.CommitFile, *github.Response, error) {
		return gh.PullRequests.ListFiles(ctx, r.owner, r.name, number, &github.ListOptions{Page: p.Number, PerPage: ghapp.PageSize})
	}
	var files []*github.CommitFile
	for f, err := range ghapp.ReadList(ctx, log, list, pages) {
		if err != nil {
			return nil, fmt.Errorf("files of %s#%d: %w", r, number, err)
		}
		files = append(files, f)
	}
	return files, nil
}

// pullLabels are the vocabulary labels a pull request carries (GitHub's
// pull request object lists all of its issue's labels).
func pullLabels(pr *github.PullRequest, cfg repoconfig.Config) map[string]bool {
	present := map[string]bool{}
	for _, l := range pr.Labels {
		if name, ok := cfg.VocabularyLabel(l.GetName()); ok {
			present[name] = true
		}
	}
	return present
}

// pullCommits lists the SHAs of a pull request's commits, oldest first, up
// to ghapp.MaxPullCommits.
func pullCommits(ctx context.Context, gh *github.Client, r repoRef, number int, log *slog.Logger) ([]string, error) {
	list := ghapp.List{Name: fmt.Sprintf("commits of %s#%d", r, number), Cap: ghapp.MaxPullCommits}
	pages := func(p ghapp.Page) ([]*github.RepositoryCommit, *github.Response, error) {
		return gh.PullRequests.ListCommits(ctx, r.owner, r.name, number, &github.ListOptions{Page: p.Number, PerPage: ghapp.PageSize})
	}
	var shas []string
	for c, err := range ghapp.ReadList(ctx, log, list, pages) {
		if err != nil {
			return nil, fmt.Errorf("commits of %s#%d: %w", r, number, err)
		}
		shas = append(shas, c.GetSHA())
	}
	return shas, nil
}

// botPrediction is the stored form of a decision, which records the
// model that served it so that an operator can tell which one decided.
func botPrediction(r repoRef, number int, sha string, d decision.Decision, deliveryID string, served *ServedModel) store.BotPrediction {
	detail, _ := json.Marshal(d)
	names := make([]string, len(d.Labels))
	for i, s := range d.Labels {
		names[i] = s.Label
	}
	return store.BotPrediction{
		Repo: r.String(), PullNumber: number, SHA: sha, Source: d.Source,
		Labels: names, Detail: detail, DeliveryID: deliveryID, ModelVersion: served.Version,
	}
}

// modelFiles lists the pull request's files with their patches for the
// model; a Conventional Commits title decides without them, so then none
// are fetched (up to 30 pages of files for a large pull request).
func (h *pullRequestHandler) modelFiles(ctx context.Context, gh *github.Client, r repoRef, number int, title string, log *slog.Logger) ([]*github.CommitFile, error) {
	if _, ok := classify.ParseHeader(title); ok {
		return nil, nil
	}
	files, err := pullFiles(ctx, gh, r, number, log)
	if isClientError(err) {
		log.WarnContext(ctx, "cannot list the pull request's files; classifying its title and body alone", "err", err)
		return nil, nil
	}
	return files, err
}
