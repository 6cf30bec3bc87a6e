package webhook

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/google/go-github/v93/github"

	"github.com/commit-labeler/commit-labeler/classify"
	"github.com/commit-labeler/commit-labeler/decision"
	"github.com/commit-labeler/commit-labeler/ghapp"
	"github.com/commit-labeler/commit-labeler/repoconfig"
)

// Check run names.
const (
	// PullCheckRunName explains the labels of a pull request on its head.
	PullCheckRunName = "commit-labeler"
	// PushCheckRunName lists the predictions of pushed commits on the head.
	PushCheckRunName = "commit-labeler / commits"
	// ConfigCheckRunName reports an invalid configuration file.
	ConfigCheckRunName = "commit-labeler / config"
)

// checkRunTextLimit keeps check run text under GitHub's 65535 characters.
const checkRunTextLimit = 60000

// checkRun is a completed check run to create.
type checkRun struct {
	name, headSHA, conclusion string
	title, summary, text      string
	// problems are the errors of an invalid configuration file, in the
	// config check run.
	problems []repoconfig.Problem
}

// CheckRunReport is a check run as the handlers write it.
type CheckRunReport struct {
	Name, HeadSHA, Conclusion string
	// Title and Summary are markdown GitHub shows first; Text is the rest.
	Title, Summary, Text string
	// Err is why GitHub did not create the check run (a *github.ErrorResponse
	// when GitHub refused it); nil when it did, or when the run only reports.
	Err error
	// Problems are the errors of an invalid configuration file, each at
	// its line, in the config check run (ConfigCheckRunName).
	Problems []repoconfig.Problem
}

// writeCheckRun creates c on r, then tells OnCheckRun of it and of
// GitHub's answer.
func (e *Events) writeCheckRun(ctx context.Context, gh *github.Client, r repoRef, log *slog.Logger, c checkRun) error {
	err := c.create(ctx, gh, r.owner, r.name, log)
	e.report(c, err)
	return err
}

// report tells OnCheckRun of c and of why GitHub did not create it (err).
func (e *Events) report(c checkRun, err error) {
	if e.onCheckRun != nil {
		e.onCheckRun(CheckRunReport{Name: c.name, HeadSHA: c.headSHA, Conclusion: c.conclusion,
			Title: c.title, Summary: c.summary, Text: c.text, Err: err, Problems: c.problems})
	}
}

// create writes the check run, once per delivery: a rerun of the delivery's
// job (after a crash or a failed later call) first looks for the check run
// an earlier attempt created, by name and external_id, on the head commit.
func (c checkRun) create(ctx context.Context, gh *github.Client, owner, repo string, log *slog.Logger) error {
	if c.headSHA == "" {
		// A payload without its head commit: GitHub requires head_sha and
		// has no commit to show the run on.
		log.WarnContext(ctx, "no head commit in the payload: no check run", "check_run", c.name)
		return nil
	}
	run := deliveryRunFrom(ctx)
	if run.attempt > 1 {
		done, err := c.createdBy(ctx, gh, owner, repo, run.id, log)
		if err != nil {
			return err
		}
		if done {
			return nil
		}
	}
	out := &github.CheckRunOutput{Title: &c.title, Summary: new(limitText(c.summary))}
	if c.text != "" {
		out.Text = new(limitText(c.text))
	}
	opts := github.CreateCheckRunOptions{
		Name:        c.name,
		HeadSHA:     c.headSHA,
		Status:      new("completed"),
		Conclusion:  &c.conclusion,
		CompletedAt: &github.Timestamp{Time: time.Now()},
		Output:      out,
	}
	if run.id != "" {
		opts.ExternalID = &run.id
	}
	if _, _, err := gh.Checks.CreateCheckRun(ctx, owner, repo, opts); err != nil {
		return fmt.Errorf("check run %q on %s/%s@%s: %w", c.name, owner, repo, short(c.headSHA), err)
	}
	return nil
}

// createdBy reports whether the head commit has a check run of this name
// created for the delivery deliveryID, among its first ghapp.MaxCheckRuns
// of the name.
func (c checkRun) createdBy(ctx context.Context, gh *github.Client, owner, repo, deliveryID string, log *slog.Logger) (bool, error) {
	list := ghapp.List{Name: fmt.Sprintf("check runs %q of %s/%s@%s", c.name, owner, repo, short(c.headSHA)), Cap: ghapp.MaxCheckRuns}
	pages := func(p ghapp.Page) ([]*github.CheckRun, *github.Response, error) {
		runs, resp, err := gh.Checks.ListCheckRunsForRef(ctx, owner, repo, c.headSHA, &github.ListCheckRunsOptions{
			CheckName: &c.name, Filter: new("all"), ListOptions: github.ListOptions{Page: p.Number, PerPage: ghapp.PageSize},
		})
		return runs.GetCheckRuns(), resp, err
	}
	for run, err := range ghapp.ReadList(ctx, log, list, pages) {
		if err != nil {
			return false, fmt.Errorf("check runs %q on %s/%s@%s: %w", c.name, owner, repo, short(c.headSHA), err)
		}
		if run.GetExternalID() == deliveryID {
			return true, nil
		}
	}
	return false, nil
}

// pullCheckRun explains the labels of a pull request: each label with its
// confidence and source, labels kept or held back by maintainers, and for
// a model decision the label probabilities as bars and the features behind
// it, said in words about in (the pull request as classified) with their
// raw names folded away.
func pullCheckRun(headSHA string, d decision.Decision, in classify.Commit, labels []labelLine, cfg repoconfig.Config, model *ServedModel) checkRun {
	var b strings.Builder
	b.WriteString("| Label | GitHub label | Confidence | Source | Action |\n|---|---|---|---|---|\n")
	for _, l := range labels {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", cell(l.label), cell(cfg.GitHubLabel(l.label)),
			percent(l.confidence), sourceName(l.source), l.action)
	}
	if len(labels) == 0 {
		b.WriteString("| – | – | – | – | " + cell(d.Explanation) + " |\n")
	}
	if d.Source == classify.SourceModel {
		b.WriteString("\n**Model scores**\n\n")
		b.WriteString(scoreChart(d.Scores))
		if len(d.Reasons) > 0 && len(d.Scores) > 0 {
			// The features are built again, by the one builder the model
			// read, since the reasons name tokens of them.
			f := classify.BuildFeatures(in)
			fmt.Fprintf(&b, "\n**What points to %s**\n\n", cell(d.Scores[0].Label))
			for _, line := range reasonLines(d.Reasons, &f) {
				b.WriteString("- " + line + "\n")
			}
			b.WriteString("\n<details><summary>Model features</summary>\n\n| Feature | Contribution |\n|---|---|\n")
			for _, r := range d.Reasons {
				fmt.Fprintf(&b, "| `%s` | %+.3f |\n", strings.ReplaceAll(cell(r.Feature), "`", "'"), r.Contribution)
			}
			b.WriteString("\n</details>\n")
		}
	}
	title := "No label"
	if names := labelNames(labels, "applied", "kept"); len(names) > 0 {
		title = "Labels: " + strings.Join(names, ", ")
	}
	return checkRun{
		name: PullCheckRunName, headSHA: headSHA, conclusion: "neutral", title: title,
		summary: decidedBy(d, model) + precisionNote(d, cfg),
		text:    b.String(),
	}
}

// decidedBy says what decided a pull request's labels: the title rule,
// quoting the header it read, or which model.
func decidedBy(d decision.Decision, model *ServedModel) string {
	if d.Source != classify.SourceModel {
		return d.Explanation + "."
	}
	return "Decided by " + modelName(model) + "."
}

// modelName names the model serving a repository: the global model, or
// the repository's own with its version, what it learned from and its
// precision on the repository's newest commits.
func modelName(model *ServedModel) string {
	l := model.Learned
	if l == nil || l.Learned == nil {
		return "the global model"
	}
	return fmt.Sprintf("this repository's own model (version %d, learned from %d commits; on its newest %d commits precision %.2f labeling %s, the global model's macro-F1 %.2f → %.2f)",
		model.Version, l.Commits, l.ValidCommits, l.Learned.AppliedPrecision, percent(l.Learned.AppliedCoverage), l.Global.MacroF1, l.Learned.MacroF1)
}

// precisionNote says which precision a model decision was held to: the one
// the repository asked for, with what its thresholds reached on
// repositories the model did not train on, or the model's default.
func precisionNote(d decision.Decision, cfg repoconfig.Config) string {
	switch {
	case d.Source != classify.SourceModel:
		return ""
	case len(cfg.Thresholds) > 0 || cfg.Threshold > 0:
		return " Thresholds set by the repository's configuration."
	case cfg.Point != nil:
		return fmt.Sprintf(" Precision asked for in %s: %.2f; the model's thresholds for it reached precision %.2f labeling %s of commits on repositories it did not train on.",
			repoconfig.Path, cfg.Precision, cfg.Point.Precision, percent(cfg.Point.Coverage))
	case cfg.Precision > 0:
		return fmt.Sprintf(" Precision asked for in %s: %.2f, but the model has no operating curve: its own thresholds decided.", repoconfig.Path, cfg.Precision)
	}
	return " The model's default thresholds decided."
}

// labelLine is one row of the pull request explanation.
type labelLine struct {
	label      string
	confidence float64
	source     string
	// action: applied, kept (already there), held back (a maintainer removed
	// it), removed (no longer predicted), or in a dry run wouldApply or
	// wouldRemove.
	action string
}

func labelNames(lines []labelLine, actions ...string) []string {
	var out []string
	for _, l := range lines {
		for _, a := range actions {
			if l.action == a {
				out = append(out, l.label)
			}
		}
	}
	return out
}

// commitRow is one pushed commit's row in the push check run.
type commitRow struct {
	sha, subject string
	decision     decision.Decision
	skipped      string // why the commit was not classified
}

// pushCheckRun lists pushed commits with their labels; a commit the model
// abstained on reads "no label", with the closest label as its confidence.
func pushCheckRun(headSHA string, rows []commitRow, model *ServedModel) checkRun {
	var b strings.Builder
	b.WriteString("| Commit | Subject | Labels | Confidence | Source |\n|---|---|---|---|---|\n")
	for _, r := range rows {
		var names, conf []string
		for _, l := range r.decision.Labels {
			names = append(names, l.Label)
			conf = append(conf, percent(l.Probability))
		}
		source := sourceName(r.decision.Source)
		switch {
		case r.skipped != "":
			names, source = []string{"–"}, r.skipped
		case len(names) == 0:
			names = []string{"no label"}
			if c := r.decision.Closest; c != nil {
				conf = []string{fmt.Sprintf("closest %s %s < %s", c.Label, percent(c.Probability), percent(c.Threshold))}
			}
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", short(r.sha), cell(r.subject),
			strings.Join(names, ", "), strings.Join(conf, ", "), source)
	}
	return checkRun{
		name: PushCheckRunName, headSHA: headSHA, conclusion: "neutral",
		title:   fmt.Sprintf("%d %s classified", len(rows), noun{"commit", "commits"}.of(len(rows))),
		summary: "Labels predicted for each pushed commit. The model: " + modelName(model) + ".",
		text:    b.String(),
	}
}

func sourceName(source string) string {
	switch source {
	case classify.SourceTitle:
		return "title rule"
	case classify.SourceModel:
		return "model"
	case classify.SourceHuman:
		return "human"
	}
	return source
}

func percent(p float64) string { return fmt.Sprintf("%.0f%%", 100*p) }

// Bounds of the score chart.
const (
	// chartLabels is the most labels charted: the rest are summed on a line.
	chartLabels = 5
	// chartMinProbability is the least probability charted: smaller bars
	// would be slivers.
	chartMinProbability = 0.01
	// chartWidth is the bar of probability 1, in characters.
	chartWidth = 20
)

// scoreChart draws label probabilities as a Markdown table of bars, most
// probable first: the top chartLabels at chartMinProbability or more
// (always the top one), the others summed below it.
func scoreChart(scores []classify.LabelScore) string {
	sorted := slices.SortedStableFunc(slices.Values(scores), func(a, b classify.LabelScore) int {
		return cmp.Compare(b.Probability, a.Probability)
	})
	var b strings.Builder
	b.WriteString("| Label | Probability | |\n|---|---|--:|\n")
	rest, restP := 0, 0.0
	for i, s := range sorted {
		if i > 0 && (i >= chartLabels || s.Probability < chartMinProbability) {
			rest++
			restP += s.Probability
			continue
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", cell(s.Label), bar(s.Probability), percent(s.Probability))
	}
	if rest > 0 {
		together := percent(restP)
		if restP < chartMinProbability {
			together = "under 1%" // not "0%": the model gave them something
		}
		fmt.Fprintf(&b, "\n%d other %s: %s together.\n", rest, noun{"label", "labels"}.of(rest), together)
	}
	return b.String()
}

// barEighths are the block characters of a bar's last, partial character.
var barEighths = []string{"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"}

// bar draws a probability as a bar of block characters, chartWidth for 1,
// in eighths of a character, so that any probability above 0 shows.
func bar(p float64) string {
	eighths := int(math.Round(min(max(p, 0), 1) * chartWidth * 8))
	if eighths == 0 && p > 0 {
		eighths = 1
	}
	return strings.Repeat("█", eighths/8) + barEighths[eighths%8]
}

// cell makes text safe in a Markdown table cell.
func cell(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	return strings.ReplaceAll(s, "|", `\|`)
}

func short(sha string) string { return sha[:min(len(sha), 7)] }

func limitText(s string) string {
	if len(s) <= checkRunTextLimit {
		return s
	}
	return s[:strings.LastIndexByte(s[:checkRunTextLimit], '\n')+1] + "\n… (cut)"
}
