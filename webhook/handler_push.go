package webhook

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/google/go-github/v93/github"

	"github.com/commit-labeler/commit-labeler/checkrun"
	"github.com/commit-labeler/commit-labeler/classify"
	"github.com/commit-labeler/commit-labeler/ghapp"
	"github.com/commit-labeler/commit-labeler/learnjob"
	"github.com/commit-labeler/commit-labeler/repoconfig"
	"github.com/commit-labeler/commit-labeler/store"
)

// maxPushCommits bounds the commits classified per push: the newest are kept.
const maxPushCommits = 50

// pushHandler classifies pushed commits, stores the predictions and lists
// them in a check run on the head commit.
type pushHandler struct {
	db       *store.DB
	clients  *ghapp.InstallationPool
	repos    repoResolver
	labeling *repoLabeling
	learning learner
	log      *slog.Logger
}

func (h *pushHandler) Handles() []string { return []string{"push"} }

func (h *pushHandler) Handle(ctx context.Context, eventType, deliveryID string, payload []byte) error {
	ev, err := decode[github.PushEvent](eventType, deliveryID, payload)
	if err != nil {
		return err
	}
	log := h.log.With("delivery", deliveryID, "event", eventType, "ref", ev.GetRef())
	switch {
	case !strings.HasPrefix(ev.GetRef(), "refs/heads/"):
		log.DebugContext(ctx, "not a branch push: skipped")
		return nil
	case ev.GetDeleted():
		log.DebugContext(ctx, "branch deletion: skipped")
		return nil
	case len(ev.Commits) == 0:
		log.DebugContext(ctx, "push without commits: skipped")
		return nil
	}
	r, err := h.repos.refOf(ctx, pushRepository(ev.GetRepo()), ev.Installation)
	if err != nil {
		return fmt.Errorf("push delivery %s: %w", deliveryID, err)
	}
	log = log.With("repo", r.String())
	if err := h.push(ctx, r, ev, deliveryID, log); err != nil {
		return fmt.Errorf("push delivery %s to %s %s: %w", deliveryID, r, ev.GetRef(), err)
	}
	return nil
}

func (h *pushHandler) push(ctx context.Context, r repoRef, ev *github.PushEvent, deliveryID string, log *slog.Logger) error {
	if ev.GetRef() == "refs/heads/"+r.defaultBranch {
		if err := h.defaultBranchMoved(ctx, r, ev); err != nil {
			return err
		}
	}
	gh, err := h.clients.Installation(r.installationID)
	if err != nil {
		return err
	}
	headSHA := ev.GetAfter()
	set, err := h.labeling.open(ctx, gh, r, headSHA, log)
	if set == nil || err != nil {
		return err
	}
	defer set.release()
	served, cfg := set.served, set.cfg
	commits := ev.Commits
	if n := len(commits); n > maxPushCommits {
		log.InfoContext(ctx, "push too long: only the newest commits are classified", "commits", n, "classified", maxPushCommits)
		commits = commits[n-maxPushCommits:]
	}
	rows := make([]checkrun.CommitRow, 0, len(commits))
	var inputs []classify.Commit
	for _, c := range commits {
		subject, body := classify.SplitMessage(c.GetMessage())
		row := checkrun.CommitRow{SHA: c.GetID(), Subject: subject}
		if author := pushAuthor(c); cfg.IgnoresAuthor(author) {
			row.Skipped = "author " + author + " ignored"
			rows = append(rows, row)
			continue
		}
		in, err := h.pushedCommitInput(ctx, gh, r, c, subject, body, log)
		if err != nil {
			return err
		}
		rows = append(rows, row)
		inputs = append(inputs, in)
	}
	decisions, err := h.labeling.models.classify(ctx, served.Classifier, cfg, inputs)
	if err != nil {
		return err
	}
	var saved []store.BotPrediction
	next := 0
	for i := range rows {
		if rows[i].Skipped != "" {
			continue
		}
		rows[i].Decision = decisions[next]
		p := botPrediction(r, 0, rows[i].SHA, decisions[next], deliveryID, served)
		p.Title = rows[i].Subject
		saved = append(saved, p)
		next++
	}
	if err := h.db.SavePredictions(ctx, saved); err != nil {
		return err
	}
	// A push changes no label: its check run is only a report.
	write, dryRun := h.labeling.checkRuns.labelWrites(ctx, cfg, set.problem)
	log.InfoContext(ctx, "pushed commits classified", "commits", len(rows), "classified", len(saved), "dry_run", dryRun)
	return h.labeling.checkRuns.explain(ctx, gh, r, log, cfg, write, func() checkrun.Output { return checkrun.Push(headSHA, rows, served.explained()) })
}

// relearnAfter is how long after a repository's last learning a move of
// its default branch asks for the next.
const relearnAfter = 24 * time.Hour

// defaultBranchMoved drops the cached configuration when the push changed
// it, and asks for the repository to be learned again when its
// configuration changed or its last learning is a day old.
func (h *pushHandler) defaultBranchMoved(ctx context.Context, r repoRef, ev *github.PushEvent) error {
	args := learnjob.Args{Repo: r.String(), CloneURL: ev.GetRepo().GetCloneURL(), InstallationID: r.installationID}
	if touchesConfig(ev.Commits) {
		if err := h.db.ForgetRepoConfigFile(ctx, r.String()); err != nil {
			return err
		}
		args.Reason = learnjob.ReasonConfig
		h.learning.learn(ctx, args)
		return nil
	}
	if !h.learning.enabled() {
		return nil
	}
	last, ok, err := h.db.LastLearned(ctx, r.String())
	if err != nil {
		return err
	}
	if !ok || time.Since(last) >= relearnAfter {
		args.Reason = learnjob.ReasonActivity
		h.learning.learn(ctx, args)
	}
	return nil
}

// pushedCommitInput builds a pushed commit's classifier input. A
// Conventional Commits subject decides alone, so the payload's file lists
// do; otherwise the model needs the diff, read from the commits API (the
// payload's lists when the API has no such commit).
func (h *pushHandler) pushedCommitInput(ctx context.Context, gh *github.Client, r repoRef, c *github.HeadCommit, subject, body string, log *slog.Logger) (classify.Commit, error) {
	if _, ok := classify.ParseHeader(subject); !ok {
		full, _, err := gh.Repositories.GetCommit(ctx, r.owner, r.name, c.GetID(), &github.ListOptions{PerPage: 100})
		switch {
		case err == nil:
			return commitInput(subject, body, full.Files), nil
		case !isClientError(err):
			return classify.Commit{}, fmt.Errorf("commit %s: %w", c.GetID(), err)
		}
		log.WarnContext(ctx, "commit not readable through the API: classified from the payload", "sha", c.GetID(), "error", err)
	}
	return payloadInput(subject, body, c), nil
}

// payloadInput builds a pushed commit's input from the payload alone: its
// files in path order with their status, but no line counts and no diff,
// which the payload lacks.
func payloadInput(subject, body string, c *github.HeadCommit) classify.Commit {
	var files []classify.File
	for status, paths := range map[string][]string{"A": c.Added, "D": c.Removed, "M": c.Modified} {
		for _, p := range paths {
			files = append(files, classify.File{Path: p, Status: status})
		}
	}
	slices.SortFunc(files, func(a, b classify.File) int { return strings.Compare(a.Path, b.Path) })
	return classify.Commit{
		Subject: subject, Body: classify.CleanBody(body),
		Files: files[:min(len(files), maxInputFiles)], FilesChanged: len(files),
	}
}

// touchesConfig reports whether a commit changed the configuration file.
func touchesConfig(commits []*github.HeadCommit) bool {
	return slices.ContainsFunc(commits, func(c *github.HeadCommit) bool {
		return slices.Contains(c.Added, repoconfig.Path) || slices.Contains(c.Modified, repoconfig.Path) || slices.Contains(c.Removed, repoconfig.Path)
	})
}

// pushAuthor is the login (or, without one, the name) of a commit's author.
func pushAuthor(c *github.HeadCommit) string {
	if login := c.GetAuthor().GetLogin(); login != "" {
		return login
	}
	return c.GetAuthor().GetName()
}

// pushRepository converts the push payload's repository.
func pushRepository(p *github.PushEventRepository) *github.Repository {
	if p == nil {
		return nil
	}
	return &github.Repository{Owner: p.Owner, Name: p.Name, DefaultBranch: p.DefaultBranch}
}
