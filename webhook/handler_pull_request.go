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
	"github.com/commit-labeler/commit-labeler/delivery"
	"github.com/commit-labeler/commit-labeler/ghapp"
	"github.com/commit-labeler/commit-labeler/jsonscan"
	"github.com/commit-labeler/commit-labeler/repoconfig"
	"github.com/commit-labeler/commit-labeler/store"
)

// pullRequestHandler labels pull requests and records maintainers' label
// changes as corrections.
type pullRequestHandler struct {
	db       *store.DB
	clients  *ghapp.InstallationPool
	repos    repoResolver
	labeling *repoLabeling
	labels   *labelWriter
	learning learner
	log      *slog.Logger
}

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
	fields, taken, err := jsonscan.PickMembers(payload, pullRequestDeliveryFields, "pull_request")
	if err != nil {
		return nil, delivery.Permanent(fmt.Errorf("%s delivery %s: payload: %w", eventType, deliveryID, err))
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
		return nil, delivery.Permanent(fmt.Errorf("pull_request delivery %s: payload pull_request: %w", deliveryID, err))
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
	fields, _, err := jsonscan.PickMembers(data, pullRequestFields)
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
	r, err := h.repos.refOf(ctx, ev.Repo, ev.Installation)
	if err != nil {
		return fmt.Errorf("pull_request delivery %s: %w", deliveryID, err)
	}
	log := h.log.With("delivery", deliveryID, "event", eventType, "action", action,
		"repo", r.String(), "pull", ev.GetNumber())
	if h.repos.isSelf(ev.Sender) {
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
	pr, fromAPI, err := currentPullRequest(ctx, gh, r, ev, deliveryID, log)
	if err != nil {
		return err
	}
	if pr.GetState() == "closed" {
		log.InfoContext(ctx, "pull request closed since the event: skipped")
		return nil
	}
	set, err := h.labeling.open(ctx, gh, r, pr.GetHead().GetSHA(), log)
	if set == nil || err != nil {
		return err
	}
	defer set.release()
	if pullSkipped(ctx, pr, set.cfg, log) {
		return nil
	}
	number := ev.GetNumber()
	in, d, err := h.decide(ctx, gh, r, number, pr, set, log)
	if err != nil {
		return err
	}
	st, _, err := h.db.PullState(ctx, r.String(), number)
	if err != nil {
		return err
	}
	present, err := presentLabels(ctx, gh, r, number, pr, fromAPI, set.cfg, log)
	if err != nil {
		return err
	}
	plan := planLabels(d.Labels, d.Source, present, st)
	write, dryRun := h.labeling.checkRuns.labelWrites(ctx, set.cfg, set.problem)
	if err := h.db.SavePullPrediction(ctx, pullPrediction(r, number, pr, d, plan, write, deliveryID, set)); err != nil {
		return err
	}
	log.InfoContext(ctx, "pull request classified", "source", d.Source, "labels", checkrun.LabelNames(plan.lines, "applied", "kept"),
		"add", plan.add, "remove", plan.remove, "dry_run", dryRun)
	if write {
		if err := h.labels.apply(ctx, gh, r, number, plan, set.cfg, log); err != nil {
			return err
		}
		if err := h.db.ForgetBotLabels(ctx, r.String(), number, plan.remove); err != nil {
			return err
		}
	}
	return h.labeling.checkRuns.explain(ctx, gh, r, log, set.cfg, write, func() checkrun.Output {
		return pullExplanation(pr, d, in, plan, dryRun, set)
	})
}

// currentPullRequest reads the pull request as it is now: a job may run
// (or rerun) after later edits and pushes, which the payload does not
// show. When GitHub refuses to show it, the delivery's copy stands in
// (fromAPI false).
func currentPullRequest(ctx context.Context, gh *github.Client, r repoRef, ev *pullRequestDelivery, deliveryID string, log *slog.Logger) (pr *github.PullRequest, fromAPI bool, err error) {
	pr, err = getPullRequest(ctx, gh, r, ev.GetNumber())
	switch {
	case err == nil:
		return pr, true, nil
	case isClientError(err) && ev.hasPullRequest():
		log.WarnContext(ctx, "cannot read the pull request; using the delivery's copy", "err", err)
		pr, err = ev.pullRequest(deliveryID)
		return pr, false, err
	}
	return nil, false, fmt.Errorf("pull request %s#%d: %w", r, ev.GetNumber(), err)
}

// pullSkipped reports whether the repository's configuration leaves the
// pull request unlabeled (its author ignored, or a draft), logging why.
func pullSkipped(ctx context.Context, pr *github.PullRequest, cfg repoconfig.Config, log *slog.Logger) bool {
	switch {
	case cfg.IgnoresAuthor(pr.GetUser().GetLogin()):
		log.InfoContext(ctx, "author ignored by the repository configuration", "author", pr.GetUser().GetLogin())
		return true
	case pr.GetDraft() && !cfg.LabelDrafts:
		log.InfoContext(ctx, "draft pull requests are not labeled in this repository")
		return true
	}
	return false
}

// decide classifies the pull request (its title, body and, for the
// model, its files) with the model serving the repository: in is what the
// model read.
func (h *pullRequestHandler) decide(ctx context.Context, gh *github.Client, r repoRef, number int, pr *github.PullRequest, set *repoSetting, log *slog.Logger) (in classify.Commit, d decision.Decision, err error) {
	files, err := modelFiles(ctx, gh, r, number, pr.GetTitle(), log)
	if err != nil {
		return in, d, err
	}
	in = commitInput(pr.GetTitle(), pr.GetBody(), files)
	decisions, err := h.labeling.models.classify(ctx, set.served.Classifier, set.cfg, []classify.Commit{in})
	if err != nil {
		return in, d, err
	}
	return in, decisions[0], nil
}

// presentLabels are the vocabulary labels the pull request carries. The
// delivery's copy (fromAPI false) may be old: the labels are then listed
// as they are now, or, when GitHub refuses, taken from the copy.
func presentLabels(ctx context.Context, gh *github.Client, r repoRef, number int, pr *github.PullRequest, fromAPI bool, cfg repoconfig.Config, log *slog.Logger) (map[string]bool, error) {
	present := pullLabels(pr, cfg)
	if fromAPI {
		return present, nil
	}
	listed, err := issueLabels(ctx, gh, r, number, cfg, log)
	switch {
	case err == nil:
		return listed, nil
	case isClientError(err):
		log.WarnContext(ctx, "cannot list the pull request's labels; using the delivery's", "err", err)
		return present, nil
	}
	return nil, err
}

// pullPrediction is what the store keeps of a pull request's decision:
// the prediction, what became of each label, and, when the run writes,
// the labels being applied.
func pullPrediction(r repoRef, number int, pr *github.PullRequest, d decision.Decision, plan labelPlan, write bool, deliveryID string, set *repoSetting) store.PullPrediction {
	sha := pr.GetHead().GetSHA()
	saved := store.PullPrediction{
		Repo: r.String(), Number: number, HeadSHA: sha,
		Prediction: botPrediction(r, number, sha, d, deliveryID, set.served),
	}
	saved.Prediction.Title, saved.Prediction.LabelActions = pr.GetTitle(), labelActions(plan, write)
	if write {
		for _, name := range plan.add {
			saved.Applying = append(saved.Applying, store.PullLabel{
				Label: name, GitHubLabel: set.cfg.GitHubLabel(name), DeliveryID: deliveryID,
			})
		}
	}
	return saved
}

// pullExplanation is the pull request's check run: a dry run's says what
// a writing run would do.
func pullExplanation(pr *github.PullRequest, d decision.Decision, in classify.Commit, plan labelPlan, dryRun string, set *repoSetting) checkrun.Output {
	model := set.served.explained()
	if dryRun != "" {
		c := checkrun.Pull(pr.GetHead().GetSHA(), d, in, checkrun.Unapplied(plan.lines), set.cfg, model)
		return checkrun.DryRun(c, dryRun, plan.add, plan.remove, set.cfg)
	}
	return checkrun.Pull(pr.GetHead().GetSHA(), d, in, plan.lines, set.cfg, model)
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

// modelFiles lists the pull request's files with their patches for the
// model; a Conventional Commits title decides without them, so then none
// are fetched (up to 30 pages of files for a large pull request).
func modelFiles(ctx context.Context, gh *github.Client, r repoRef, number int, title string, log *slog.Logger) ([]*github.CommitFile, error) {
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
