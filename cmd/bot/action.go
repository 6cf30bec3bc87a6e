package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/go-github/v93/github"

	"github.com/commit-labeler/commit-labeler/classify"
	"github.com/commit-labeler/commit-labeler/ghapp"
	"github.com/commit-labeler/commit-labeler/store"
	"github.com/commit-labeler/commit-labeler/webhook"
)

// The environment of a GitHub Actions job that `bot action` reads.
const (
	envEventName   = "GITHUB_EVENT_NAME"
	envEventPath   = "GITHUB_EVENT_PATH"
	envRepository  = "GITHUB_REPOSITORY"
	envToken       = "GITHUB_TOKEN"
	envStepSummary = "GITHUB_STEP_SUMMARY"
	envRunID       = "GITHUB_RUN_ID"
	envRunAttempt  = "GITHUB_RUN_ATTEMPT"
)

// actionsBot is the slug of the user GITHUB_TOKEN writes as,
// github-actions[bot]: its own label changes are the bot's.
const actionsBot = "github-actions"

// defaultActionsAPIURL is GITHUB_API_URL on github.com.
const defaultActionsAPIURL = "https://api.github.com/"

// runAction is `bot action`: one event of a GitHub Actions job, handled as
// the App handles a delivery, with the job's token instead of an App.
func runAction(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bot action", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: bot action [flags]\n\n"+
			"Labels the pull request or reports the pushed commits of one GitHub Actions event\n"+
			"(pull_request, pull_request_target, push) with the job's token: no App, no server.\n\n"+
			"Environment: %s, %s, %s, %s, %s (default %s), %s.\n\n",
			envEventName, envEventPath, envRepository, envToken, ghapp.EnvAPIURL, defaultActionsAPIURL, envStepSummary)
		fs.PrintDefaults()
	}
	modelDir := fs.String("model", "", "model directory (default: the shipped model)")
	dryRun := fs.Bool("dry-run", false, "compute the labels and report them in the job summary, changing nothing on GitHub")
	logLevel := fs.String("log-level", "info", "debug, info, warn or error")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stdout, "::error title=commit-labeler::unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fmt.Fprintf(stdout, "::error title=commit-labeler::--log-level %s\n", workflowEscape(err.Error()))
		return exitUsage
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	a, err := readActionEnv()
	if err != nil {
		fmt.Fprintf(stdout, "::error title=commit-labeler::%s\n", workflowEscape(err.Error()))
		return exitUsage
	}
	out, err := a.run(ctx, *modelDir, *dryRun, log)
	writeConfigWarnings(stdout, out.reports)
	var heading string
	if out.refused != nil {
		heading = readOnlyHeading(out.refused)
		fmt.Fprintf(stdout, "::warning title=commit-labeler::%s\n", workflowEscape(forkWarning))
	}
	// The summary is written whatever happened: it explains the labels
	// even when a check run could not.
	if err := a.writeSummary(heading, out.reports); err != nil {
		fmt.Fprintf(stdout, "::warning title=commit-labeler::%s\n", workflowEscape(err.Error()))
	}
	if err != nil {
		fmt.Fprintf(stdout, "::error title=commit-labeler::%s\n", workflowEscape(explainActionError(err)))
		return exitFailure
	}
	if out.refused != nil {
		return 0 // no label notices: none was applied, and the warning says where they are
	}
	if len(out.reports) == 0 {
		fmt.Fprintf(stdout, "::notice title=commit-labeler::%s event: nothing to label\n", a.eventName)
	}
	for _, r := range out.reports {
		if len(r.Problems) == 0 { // the configuration's errors are warnings already
			fmt.Fprintf(stdout, "::notice title=commit-labeler::%s\n", workflowEscape(r.Title))
		}
	}
	return 0
}

// actionEnv is the validated environment of one Actions job step.
type actionEnv struct {
	eventName, eventPath string
	payload              []byte
	apiURL, token        string
	runID                string
	summaryPath          string
	// forkPull: the event's pull request comes from a fork.
	forkPull bool
}

// readActionEnv reads and checks the job's environment and event file.
func readActionEnv() (*actionEnv, error) {
	a := &actionEnv{
		eventName: os.Getenv(envEventName), eventPath: os.Getenv(envEventPath),
		apiURL: os.Getenv(ghapp.EnvAPIURL), token: os.Getenv(envToken), summaryPath: os.Getenv(envStepSummary),
		runID: "action-" + os.Getenv(envRunID) + "-" + os.Getenv(envRunAttempt),
	}
	switch {
	case a.eventName == "":
		return nil, fmt.Errorf("%s is not set: run bot action inside a GitHub Actions job", envEventName)
	case a.eventPath == "":
		return nil, fmt.Errorf("%s is not set: run bot action inside a GitHub Actions job", envEventPath)
	case a.token == "":
		return nil, fmt.Errorf("%s is empty: pass it to the step (env: %s: ${{ secrets.GITHUB_TOKEN }})", envToken, envToken)
	}
	if a.apiURL == "" {
		a.apiURL = defaultActionsAPIURL
	}
	var err error
	if a.payload, err = os.ReadFile(a.eventPath); err != nil {
		return nil, fmt.Errorf("event file %s (%s): %w", a.eventPath, envEventPath, err)
	}
	var ev struct {
		Repository  *namedRepository  `json:"repository"`
		PullRequest *pullRequestRepos `json:"pull_request"`
	}
	if err := json.Unmarshal(a.payload, &ev); err != nil {
		return nil, fmt.Errorf("event file %s (%s): not a JSON event: %w", a.eventPath, envEventPath, err)
	}
	if ev.Repository == nil || ev.Repository.FullName == "" {
		return nil, fmt.Errorf("event file %s (%s): the %s event names no repository", a.eventPath, envEventPath, a.eventName)
	}
	if repo := os.Getenv(envRepository); repo != "" && !strings.EqualFold(repo, ev.Repository.FullName) {
		return nil, fmt.Errorf("event file %s is about %s, but %s is %s", a.eventPath, ev.Repository.FullName, envRepository, repo)
	}
	a.forkPull = ev.PullRequest.fromFork()
	return a, nil
}

// actionOutcome is what handling the event left to report.
type actionOutcome struct {
	reports []webhook.CheckRunReport
	// refused, when set, is GitHub's refusal of the first write to a fork's
	// pull request under pull_request: nothing was written, and reports are
	// what a run that could write would have written.
	refused *github.ErrorResponse
}

// run handles the event. When GitHub refuses the token the first write on
// a fork's pull request under pull_request (the read-only token GitHub
// gives such runs), the event is handled again writing nothing, so that
// the labels are still reported.
func (a *actionEnv) run(ctx context.Context, modelDir string, dryRun bool, log *slog.Logger) (actionOutcome, error) {
	clients, err := ghapp.NewTokenClients(a.apiURL, a.token)
	if err != nil {
		return actionOutcome{}, err
	}
	clf, err := loadModel(modelDir, log)
	if err != nil {
		return actionOutcome{}, fmt.Errorf("model (--model %q): %w", modelDir, err)
	}
	defer clf.Close()
	reports, err := a.handle(ctx, clients, clf, dryRun, log, (*webhook.Action).HandleAction)
	refused := refusedWrite(err, reports)
	if refused == nil {
		return actionOutcome{reports: reports}, err
	}
	if clients.Wrote() || !a.readOnlyByDesign() {
		if err == nil { // the check run was refused, and the handlers went on
			err = refused
		}
		return actionOutcome{reports: reports}, err
	}
	log.InfoContext(ctx, "the token cannot write to a fork's pull request: reporting the labels without writing them", "refused", refused)
	reports, err = a.handle(ctx, clients, clf, dryRun, log, (*webhook.Action).ReportAction)
	return actionOutcome{reports: reports, refused: refused}, err
}

// handle handles the event once, by handle (HandleAction or ReportAction),
// with a store that lives as long as that.
func (a *actionEnv) handle(ctx context.Context, clients *ghapp.TokenClients, clf *classify.Classifier, dryRun bool, log *slog.Logger,
	handle func(*webhook.Action, context.Context, string, string, []byte) error) ([]webhook.CheckRunReport, error) {
	dir, err := os.MkdirTemp("", "commit-labeler-action-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	db, err := store.Open(ctx, filepath.Join(dir, "action.db"))
	if err != nil {
		return nil, err
	}
	defer db.Close()
	var reports []webhook.CheckRunReport
	action, err := webhook.NewAction(webhook.HandlersConfig{
		Store: db, Clients: clients, Classifier: clf, AppSlug: actionsBot, DryRun: dryRun, Logger: log,
		// A job re-run is the retry of last resort: no long waits here.
		Transport:  []ghapp.TransportOption{ghapp.WithAttempts(3), ghapp.WithMaxWait(time.Minute)},
		OnCheckRun: func(r webhook.CheckRunReport) { reports = append(reports, r) },
	})
	if err != nil {
		return nil, err
	}
	return reports, handle(action, ctx, a.eventName, a.runID, a.payload)
}

// writeSummary appends the check runs' markdown to the job's summary,
// after heading (markdown) when there is one.
func (a *actionEnv) writeSummary(heading string, reports []webhook.CheckRunReport) error {
	if a.summaryPath == "" || len(reports) == 0 {
		return nil
	}
	f, err := os.OpenFile(a.summaryPath, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("job summary (%s): %w", envStepSummary, err)
	}
	if heading != "" {
		fmt.Fprintf(f, "%s\n\n", heading)
	}
	for _, r := range reports {
		fmt.Fprintf(f, "### %s: %s\n\n%s\n\n", r.Name, r.Title, r.Summary)
		if r.Text != "" {
			fmt.Fprintf(f, "%s\n\n", r.Text)
		}
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("job summary (%s): %w", envStepSummary, err)
	}
	return nil
}

// explainActionError adds what to do about the refusals a workflow's
// configuration causes.
func explainActionError(err error) string {
	var gerr *github.ErrorResponse
	if errors.As(err, &gerr) && gerr.Response != nil {
		switch gerr.Response.StatusCode {
		case http.StatusUnauthorized:
			return fmt.Sprintf("GitHub refused the token (401 %s): pass the job's token to the step (env: %s: ${{ secrets.GITHUB_TOKEN }}): %v", gerr.Message, envToken, err)
		case http.StatusForbidden:
			return fmt.Sprintf("GitHub refused the token a permission (403 %s): the workflow needs permissions %s: %v", gerr.Message, neededPermission(gerr), err)
		}
	}
	if errors.Is(err, webhook.ErrActionEvent) {
		return fmt.Sprintf("%v: run the workflow on: %s", err, strings.Join(webhook.ActionEvents, ", "))
	}
	return err.Error()
}

// neededPermission names the workflow permission the request GitHub
// refused needs: checks: write for a check run, pull-requests: write for
// labels, all the Action needs otherwise.
func neededPermission(gerr *github.ErrorResponse) string {
	var path string
	if req := gerr.Response.Request; req != nil && req.Method != http.MethodGet {
		path = req.URL.Path
	}
	switch {
	case strings.Contains(path, "/check-runs"):
		return "checks: write"
	case strings.Contains(path, "/labels"):
		return "pull-requests: write"
	}
	return "pull-requests: write, checks: write, contents: read"
}

// workflowEscape escapes a workflow command's message as the Actions
// runner expects (%, CR and LF).
func workflowEscape(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}
