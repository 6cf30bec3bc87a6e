package checkrun

import (
	"fmt"
	"strings"

	"github.com/commit-labeler/commit-labeler/classify"
	"github.com/commit-labeler/commit-labeler/decision"
)

// CommitRow is one pushed commit's row in the push check run.
type CommitRow struct {
	SHA, Subject string
	Decision     decision.Decision
	Skipped      string // why the commit was not classified
}

// Push lists pushed commits with their labels; a commit the model
// abstained on reads "no label", with the closest label as its confidence.
func Push(headSHA string, rows []CommitRow, model Model) Output {
	var b strings.Builder
	b.WriteString("| Commit | Subject | Labels | Confidence | Source |\n|---|---|---|---|---|\n")
	for _, r := range rows {
		var names, conf []string
		for _, l := range r.Decision.Labels {
			names = append(names, l.Label)
			conf = append(conf, percent(l.Probability))
		}
		source := sourceName(r.Decision.Source)
		switch {
		case r.Skipped != "":
			names, source = []string{"–"}, r.Skipped
		case len(names) == 0:
			names = []string{"no label"}
			if c := r.Decision.Closest; c != nil {
				conf = []string{fmt.Sprintf("closest %s %s < %s", c.Label, percent(c.Probability), percent(c.Threshold))}
			}
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", ShortSHA(r.SHA), cell(r.Subject),
			strings.Join(names, ", "), strings.Join(conf, ", "), source)
	}
	return Output{
		Name: PushName, HeadSHA: headSHA, Conclusion: "neutral",
		Title:   fmt.Sprintf("%d %s classified", len(rows), noun{"commit", "commits"}.of(len(rows))),
		Summary: "Labels predicted for each pushed commit. The model: " + modelName(model) + ".",
		Text:    b.String(),
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
