package checkrun

import (
	"fmt"
	"strings"

	"github.com/commit-labeler/commit-labeler/classify"
	"github.com/commit-labeler/commit-labeler/decision"
	"github.com/commit-labeler/commit-labeler/repoconfig"
)

// Model is what the check runs say of the model serving a repository.
type Model struct {
	// Version is the repository model's version; 0 for the global model.
	Version int
	// Learned is how the repository model was learned (nil: global).
	Learned *classify.Learned
}

// LabelLine is one row of the pull request explanation.
type LabelLine struct {
	Label      string
	Confidence float64
	Source     string
	// Action: applied, kept (already there), held back (a maintainer removed
	// it), removed (no longer predicted), or in a dry run WouldApply or
	// WouldRemove.
	Action string
}

// LabelNames are the labels of lines whose action is one of actions.
func LabelNames(lines []LabelLine, actions ...string) []string {
	var out []string
	for _, l := range lines {
		for _, a := range actions {
			if l.Action == a {
				out = append(out, l.Label)
			}
		}
	}
	return out
}

// Pull explains the labels of a pull request: each label with its
// confidence and source, labels kept or held back by maintainers, and for
// a model decision the label probabilities as bars and the features behind
// it, said in words about in (the pull request as classified) with their
// raw names folded away.
func Pull(headSHA string, d decision.Decision, in classify.Commit, labels []LabelLine, cfg repoconfig.Config, model Model) Output {
	var b strings.Builder
	b.WriteString("| Label | GitHub label | Confidence | Source | Action |\n|---|---|---|---|---|\n")
	for _, l := range labels {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", cell(l.Label), cell(cfg.GitHubLabel(l.Label)),
			percent(l.Confidence), sourceName(l.Source), l.Action)
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
	if names := LabelNames(labels, "applied", "kept"); len(names) > 0 {
		title = "Labels: " + strings.Join(names, ", ")
	}
	return Output{
		Name: PullName, HeadSHA: headSHA, Conclusion: "neutral", Title: title,
		Summary: decidedBy(d, model) + precisionNote(d, cfg),
		Text:    b.String(),
	}
}

// decidedBy says what decided a pull request's labels: the title rule,
// quoting the header it read, or which model.
func decidedBy(d decision.Decision, model Model) string {
	if d.Source != classify.SourceModel {
		return d.Explanation + "."
	}
	return "Decided by " + modelName(model) + "."
}

// modelName names the model serving a repository: the global model, or
// the repository's own with its version, what it learned from and its
// precision on the repository's newest commits.
func modelName(model Model) string {
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
