package webhook

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"sync"

	"github.com/google/go-github/v93/github"

	commitlabeler "github.com/commit-labeler/commit-labeler"
	"github.com/commit-labeler/commit-labeler/checkrun"
	"github.com/commit-labeler/commit-labeler/classify"
	"github.com/commit-labeler/commit-labeler/ghapp"
	"github.com/commit-labeler/commit-labeler/repoconfig"
	"github.com/commit-labeler/commit-labeler/store"
)

// labelPlan is what label sync changes on a pull request, in vocabulary names.
type labelPlan struct {
	// add are predicted labels missing from the pull request.
	add []string
	// remove are labels the bot applied earlier and no longer predicts.
	remove []string
	// lines explain every predicted or removed label.
	lines []checkrun.LabelLine
}

// planLabels compares the selected labels with the pull request's labels
// (present, vocabulary names) and the bot's bookkeeping: it adds what is
// missing unless a maintainer removed it, and removes only what the bot
// applied itself. A label a maintainer added is never removed.
func planLabels(selected []classify.LabelScore, source string, present map[string]bool, st store.PullState) labelPlan {
	var p labelPlan
	chosen := map[string]bool{}
	for _, s := range selected {
		chosen[s.Label] = true
		line := checkrun.LabelLine{Label: s.Label, Confidence: s.Probability, Source: source}
		switch {
		case st.Labels[s.Label].State == store.PullLabelHumanRemoved:
			line.Action = "held back (a maintainer removed it)"
		case present[s.Label]:
			line.Action = "kept"
		default:
			line.Action = "applied"
			p.add = append(p.add, s.Label)
		}
		p.lines = append(p.lines, line)
	}
	for _, name := range slices.Sorted(maps.Keys(st.Labels)) {
		if st.Labels[name].State == store.PullLabelBotApplied && !chosen[name] {
			p.remove = append(p.remove, name)
			p.lines = append(p.lines, checkrun.LabelLine{Label: name, Source: "earlier prediction", Action: "removed (no longer predicted)"})
		}
	}
	return p
}

// issueLabels returns the vocabulary labels present on a pull request.
func issueLabels(ctx context.Context, gh *github.Client, r repoRef, number int, cfg repoconfig.Config, log *slog.Logger) (map[string]bool, error) {
	list := ghapp.List{Name: fmt.Sprintf("labels of %s#%d", r, number), Cap: ghapp.MaxIssueLabels}
	pages := func(p ghapp.Page) ([]*github.Label, *github.Response, error) {
		return gh.Issues.ListLabelsByIssue(ctx, r.owner, r.name, number, &github.ListOptions{Page: p.Number, PerPage: ghapp.PageSize})
	}
	present := map[string]bool{}
	for l, err := range ghapp.ReadList(ctx, log, list, pages) {
		if err != nil {
			return nil, fmt.Errorf("labels of %s#%d: %w", r, number, err)
		}
		if name, ok := cfg.VocabularyLabel(l.Name); ok {
			present[name] = true
		}
	}
	return present, nil
}

// labelWriter adds and removes vocabulary labels on pull requests,
// creating the repository labels they need.
type labelWriter struct {
	vocab *commitlabeler.Vocabulary
	// known are the repository labels ("owner/repo\x00name") seen to
	// exist or created: each is looked up on GitHub once per process, not
	// once per pull request.
	known sync.Map
}

// ensureLabel creates the repository label of a vocabulary label, with the
// colour and description of labels.json, unless it exists. A label known to
// exist is not looked up again: should a maintainer delete it meanwhile,
// GitHub creates it when it is added to an issue, only without our colour.
func (w *labelWriter) ensureLabel(ctx context.Context, gh *github.Client, r repoRef, gitHubName string, l commitlabeler.Label) error {
	key := r.String() + "\x00" + gitHubName
	if _, ok := w.known.Load(key); ok {
		return nil
	}
	_, _, err := gh.Issues.GetLabel(ctx, r.owner, r.name, url.PathEscape(gitHubName))
	switch {
	case err == nil:
	case statusOf(err) != http.StatusNotFound:
		return fmt.Errorf("label %q of %s: %w", gitHubName, r, err)
	default:
		_, _, err = gh.Issues.CreateLabel(ctx, r.owner, r.name, github.CreateIssueLabelRequest{
			Name: gitHubName, Color: &l.Color, Description: &l.Description,
		})
		if err != nil && !isAlreadyExists(err) {
			return fmt.Errorf("create label %q in %s: %w", gitHubName, r, err)
		}
	}
	w.known.Store(key, true)
	return nil
}

// apply creates the missing repository labels, adds the labels in one
// request and removes the stale ones (404: already gone, fine).
func (w *labelWriter) apply(ctx context.Context, gh *github.Client, r repoRef, number int, p labelPlan, cfg repoconfig.Config, log *slog.Logger) error {
	var names []string
	for _, name := range p.add {
		l, _ := w.vocab.Get(name)
		gitHubName := cfg.GitHubLabel(name)
		if err := w.ensureLabel(ctx, gh, r, gitHubName, l); err != nil {
			// A 403 refuses the token every write (a fork's pull request's
			// read-only token): nothing more is tried, so nothing is half done.
			if !isClientError(err) || statusOf(err) == http.StatusForbidden {
				return err
			}
			// GitHub creates a missing label itself when it is added to an
			// issue, only without our colour and description.
			log.WarnContext(ctx, "cannot create the label; adding it anyway", "label", gitHubName, "err", err)
		}
		names = append(names, gitHubName)
	}
	if len(names) > 0 {
		if err := addIssueLabels(ctx, gh, r, number, names); err != nil {
			return fmt.Errorf("add labels %q to %s#%d: %w", names, r, number, err)
		}
	}
	for _, name := range p.remove {
		gitHubName := cfg.GitHubLabel(name)
		_, err := gh.Issues.RemoveLabelForIssue(ctx, r.owner, r.name, number, url.PathEscape(gitHubName))
		if err != nil && statusOf(err) != http.StatusNotFound {
			return fmt.Errorf("remove label %q from %s#%d: %w", gitHubName, r, number, err)
		}
	}
	return nil
}

// addIssueLabels adds names to the issue's labels. The body is the object
// {"labels": [...]} GitHub's OpenAPI description specifies, not the bare
// array go-github's AddLabelsToIssue sends, which only the operation's
// prose still allows.
func addIssueLabels(ctx context.Context, gh *github.Client, r repoRef, number int, names []string) error {
	u := fmt.Sprintf("repos/%v/%v/issues/%d/labels", url.PathEscape(r.owner), url.PathEscape(r.name), number)
	req, err := gh.NewRequest(ctx, http.MethodPost, u, struct {
		Labels []string `json:"labels"`
	}{names})
	if err != nil {
		return err
	}
	_, err = gh.Do(req, nil)
	return err
}
