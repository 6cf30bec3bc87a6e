package pipeline

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/commit-labeler/commit-labeler/store"
)

// report is the summary laid out for reading: sections of blocks, each a
// table and perhaps a chart of the same numbers. summary.md renders the
// tables, summary.html the charts with the tables as their fallback.
type report struct {
	Title       string
	GeneratedAt string
	Database    string
	ModelsDir   string
	Facts       []fact
	Sections    []reportSection
}

// fact is one key figure at the top of the report.
type fact struct{ Name, Value string }

// reportSection is a level-2 part of the report.
type reportSection struct {
	ID, Title, Intro string
	Blocks           []reportBlock
}

// reportBlock is one table, with the chart drawing it when Chart is set.
type reportBlock struct {
	Heading, Note string
	Chart         *chart
	Table         reportTable
}

// reportTable is a table of formatted cells; Numeric columns align right.
type reportTable struct {
	Caption string
	Header  []string
	Numeric []bool
	Rows    [][]string
}

// newReport lays out the summary.
func newReport(s *Summary) *report {
	return &report{
		Title:       "commit-labeler summary",
		GeneratedAt: s.GeneratedAt.Format(time.RFC3339),
		Database:    s.Database,
		ModelsDir:   s.ModelsDir,
		Facts: []fact{
			{"repositories", count(s.Corpus.Repositories)},
			{"commits", count(s.Corpus.Commits)},
			{"duplicates", count(s.Corpus.Duplicates)},
			{"sampled", count(s.Corpus.Sampled)},
			{"labeled", count(s.Labeled)},
			{"models", count(int64(len(s.Models)))},
		},
		Sections: []reportSection{corpusSection(s), labelSection(s), labelerSection(s), modelSection(s)},
	}
}

func corpusSection(s *Summary) reportSection {
	c := s.Corpus
	corpus := reportTable{Caption: "Corpus", Header: []string{"what", "count"}, Numeric: []bool{false, true}, Rows: [][]string{
		{"repositories", count(c.Repositories)},
		{"commits", count(c.Commits)},
		{"commits by bots", count(c.BotCommits)},
		{"duplicate patches", count(c.Duplicates)},
		{"stride sample", count(c.Sampled)},
		{"commits with features", count(c.WithFeatures)},
		{"commits with effective labels", count(s.Labeled)},
	}}
	runs := reportTable{Caption: "Phase runs", Header: []string{"phase", "runs", "ok", "last status", "last started", "last duration", "last counts", "last error"},
		Numeric: []bool{false, true, true, false, false, true, false, false}}
	for _, p := range s.Runs {
		r := p.Last
		runs.Rows = append(runs.Rows, []string{p.Phase, count(p.Runs), count(p.OK), r.Status,
			r.StartedAt.UTC().Format("2006-01-02 15:04:05"), r.Duration.Round(time.Millisecond).String(), runCounts(r), r.Error})
	}
	sec := reportSection{ID: "corpus", Title: "Corpus and runs", Blocks: []reportBlock{{Table: corpus}, {Heading: "Phase runs", Table: runs}}}
	if len(s.Runs) == 0 {
		sec.Blocks[1].Note = "No phase has run on this store."
	}
	return sec
}

// runCounts writes a run's counts as "key=value" in key order.
func runCounts(r store.Run) string {
	parts := make([]string, 0, len(r.Counts))
	for k, v := range r.Counts {
		parts = append(parts, k+"="+strconv.FormatInt(v, 10))
	}
	slices.Sort(parts)
	return strings.Join(parts, " ")
}

func labelSection(s *Summary) reportSection {
	totals := reportTable{Caption: "Effective labels", Header: []string{"label", "primary", "share", "any position"}, Numeric: []bool{false, true, true, true}}
	for _, t := range s.LabelTotals {
		totals.Rows = append(totals.Rows, []string{t.Label, count(t.Primary), percent(ratio64(t.Primary, s.Labeled)), count(t.Any)})
	}
	sec := reportSection{ID: "labels", Title: "Label distribution",
		Intro:  "Effective labels: per commit the labels of its most trusted labeler (human, then conventional, then ollama) less those a maintainer removed. Bars count each commit once, by its primary (first) label, as shares of the group; the tables give the counts.",
		Blocks: []reportBlock{{Table: totals}}}
	if s.Labeled == 0 {
		sec.Blocks[0].Note = "No commit carries labels yet: run the label phase."
		return sec
	}
	sec.Blocks = append(sec.Blocks,
		distributionBlock("labels-repo", "Primary label per repository", "repository", s.Labels, s.ByRepository),
		distributionBlock("labels-year", "Primary label per year (UTC)", "year", s.Labels, s.ByYear))
	return sec
}

// distributionBlock draws label groups as 100 % stacked bars and tabulates them.
func distributionBlock(id, title, group string, labels []string, groups []LabelGroup) reportBlock {
	t := reportTable{Caption: title, Header: append([]string{group, "commits"}, labels...), Numeric: []bool{false, true}}
	rows := make([]barRow, 0, len(groups))
	for _, g := range groups {
		row := []string{g.Name, count(g.Total)}
		bar := barRow{Label: g.Name, Note: count(g.Total)}
		for _, l := range labels {
			n := g.Counts[l]
			row = append(row, count(n))
			bar.Segments = append(bar.Segments, barSegment{Value: ratio64(n, g.Total), Color: labelColor(l),
				Tip: fmt.Sprintf("%s, %s: %d of %d (%s)", g.Name, l, n, g.Total, percent(ratio64(n, g.Total)))})
		}
		t.Rows = append(t.Rows, row)
		rows = append(rows, bar)
	}
	for range labels {
		t.Numeric = append(t.Numeric, true)
	}
	c := hbarChart(id, title, fmt.Sprintf("Stacked bars: for each %s the share of its labeled commits per primary label; the number after a bar is its commit count.", group),
		"share of the "+group+"'s labeled commits", rows, 1, percentTick)
	for _, l := range labels {
		c.Legend = append(c.Legend, legendEntry{labelColor(l), l})
	}
	return reportBlock{Heading: title, Chart: c, Table: t}
}

func labelerSection(s *Summary) reportSection {
	sec := reportSection{ID: "labelers", Title: "Labelers"}
	if a := s.Agreement; a != nil {
		title := fmt.Sprintf("Agreement of %s and %s", a.SourceA, a.SourceB)
		note := fmt.Sprintf("%s commits labeled by both: they agree on the primary label of %s (%s), Cohen's kappa %.3f.",
			count(a.Commits), count(a.Agreed), percent(a.Rate), a.Kappa)
		sec.Blocks = append(sec.Blocks, matrixBlock("agreement", title, note, a.SourceA, a.SourceB, a.Labels, a.Matrix))
	} else {
		sec.Blocks = append(sec.Blocks, reportBlock{Heading: "Agreement of conventional and ollama", Note: "No commit is labeled by both conventional and ollama (run the label phase with --labeler all)."})
	}
	if len(s.Confidence) == 0 {
		return sec
	}
	categories := make([]string, store.ConfidenceBins)
	t := reportTable{Caption: "Label confidence by labeler", Header: []string{"confidence"}, Numeric: []bool{false}}
	for i := range categories {
		categories[i] = fmt.Sprintf("%.1f–%.1f", float64(i)/store.ConfidenceBins, float64(i+1)/store.ConfidenceBins)
		t.Rows = append(t.Rows, []string{categories[i]})
	}
	var ss []series
	for k, h := range s.Confidence {
		t.Header = append(t.Header, h.Source)
		t.Numeric = append(t.Numeric, true)
		sr := series{Name: fmt.Sprintf("%s (%s labels)", h.Source, count(h.Total)), Color: seriesPalette[k%len(seriesPalette)]}
		for i, n := range h.Bins {
			t.Rows[i] = append(t.Rows[i], count(n))
			sr.Values = append(sr.Values, ratio64(n, h.Total))
			sr.Tips = append(sr.Tips, fmt.Sprintf("%s, confidence %s: %d labels (%s)", h.Source, categories[i], n, percent(ratio64(n, h.Total))))
		}
		ss = append(ss, sr)
	}
	title := "Label confidence by labeler"
	c := columnChart("confidence", title, "Grouped bars: for each confidence bin the share of each labeler's labels in it.",
		"confidence", "share of the labeler's labels", categories, ss, 1, percentTick)
	sec.Blocks = append(sec.Blocks, reportBlock{Heading: title, Chart: c, Table: t})
	return sec
}

// matrixBlock draws a confusion matrix as a heat map and tabulates it with
// rows (rowTitle) and columns (colTitle) over labels.
func matrixBlock(id, title, note, rowTitle, colTitle string, labels []string, m [][]int64) reportBlock {
	t := reportTable{Caption: title, Header: append([]string{rowTitle + " \\ " + colTitle}, labels...), Numeric: []bool{false}}
	for i, l := range labels {
		row := []string{l}
		for _, n := range m[i] {
			row = append(row, count(n))
		}
		t.Rows = append(t.Rows, row)
		t.Numeric = append(t.Numeric, true)
	}
	c := heatMap(id, title, fmt.Sprintf("Heat map: rows are %s, columns %s; each cell counts commits, coloured by its share of the row.", rowTitle, colTitle),
		rowTitle, colTitle, labels, m)
	return reportBlock{Heading: title, Note: note, Chart: c, Table: t}
}

func modelSection(s *Summary) reportSection {
	sec := reportSection{ID: "models", Title: "Models",
		Intro: "Scores on repositories each model did not train on: its validation repositories, or, for a model trained on all of them, its out-of-fold predictions (each repository scored by a model trained on the other folds). Coverage at a precision is the largest share of those commits, most confident first, whose top label keeps that precision."}
	if len(s.Models) == 0 {
		sec.Intro = fmt.Sprintf("No model.json found in the subdirectories of %s: train models there first (train train --out %s).", s.ModelsDir, s.ModelsDir)
		return sec
	}
	t := reportTable{Caption: "Model comparison",
		Header:  []string{"model", "kind", "labels", "train", "valid", "train s", "macro-F1", "accuracy", "coverage@0.80", "coverage@0.90", "applied precision", "applied coverage"},
		Numeric: []bool{false, false, true, true, true, true, true, true, true, true, true, true}}
	names := make([]string, len(s.Models))
	metrics := []series{{Name: "macro-F1"}, {Name: "accuracy"}, {Name: "coverage at precision 0.90"}}
	for i, m := range s.Models {
		names[i] = m.Name
		t.Rows = append(t.Rows, []string{m.Name, m.Kind, strconv.Itoa(len(m.Labels)), count(int64(m.TrainExamples)), count(int64(m.ValidExamples)),
			fmt.Sprintf("%.1f", m.TrainSeconds), score(m.MacroF1), score(m.Accuracy), percent(m.CoverageAtPrecision(0.80)),
			percent(m.CoverageAtPrecision(0.90)), score(m.AppliedPrecision), percent(m.AppliedCoverage)})
		for k, v := range []float64{m.MacroF1, m.Accuracy, m.CoverageAtPrecision(0.90)} {
			metrics[k].Values = append(metrics[k].Values, v)
			metrics[k].Tips = append(metrics[k].Tips, fmt.Sprintf("%s, %s: %.3f", m.Name, metrics[k].Name, v))
		}
	}
	for k := range metrics {
		metrics[k].Color = seriesPalette[k]
	}
	c := columnChart("models", "Model comparison", "Grouped bars: macro-F1, accuracy and coverage at precision 0.90 of each model on the repositories it did not train on.",
		"model", "score", names, metrics, 1, scoreTick)
	sec.Blocks = append(sec.Blocks, reportBlock{Heading: "Comparison", Chart: c, Table: t})
	for _, m := range s.Models {
		sec.Blocks = append(sec.Blocks, modelBlocks(m)...)
	}
	return sec
}

// modelBlocks are a model's per-label F1 and confusion matrix.
func modelBlocks(m ModelSummary) []reportBlock {
	id := "model-" + htmlID(m.Name)
	head := fmt.Sprintf("Model %s (%s)", m.Name, m.Kind)
	note := fmt.Sprintf("%s training and %s validation commits; %.1f s to train.", count(int64(m.TrainExamples)), count(int64(m.ValidExamples)), m.TrainSeconds)
	if len(m.ValidRepos) > 0 {
		note += " Validation repositories: " + strings.Join(m.ValidRepos, ", ") + "."
	}
	if m.ValidExamples == 0 && m.ThresholdFolds > 1 {
		note += fmt.Sprintf(" Scores from out-of-fold predictions over %d repository folds.", m.ThresholdFolds)
	}
	if !m.HasMetrics {
		return []reportBlock{{Heading: head, Note: note + " Its model.json holds no metrics."}}
	}
	t := reportTable{Caption: head + ": per-label scores", Header: []string{"label", "precision", "recall", "F1", "support", "predicted", "threshold"},
		Numeric: []bool{false, true, true, true, true, true, true}}
	rows := make([]barRow, 0, len(m.PerLabel))
	for _, l := range m.PerLabel {
		t.Rows = append(t.Rows, []string{l.Label, score(l.Precision), score(l.Recall), score(l.F1), count(int64(l.Support)), count(int64(l.Predicted)), score(l.Threshold)})
		rows = append(rows, barRow{Label: l.Label, Note: score(l.F1), Segments: []barSegment{{Value: l.F1, Color: labelColor(l.Label),
			Tip: fmt.Sprintf("%s: F1 %.3f (precision %.3f, recall %.3f, support %d)", l.Label, l.F1, l.Precision, l.Recall, l.Support)}}})
	}
	f1 := hbarChart(id+"-f1", fmt.Sprintf("Per-label F1 of %s", m.Name), "Horizontal bars: the F1 of each label as the top prediction on the validation repositories.",
		"F1 of the top label", rows, 1, scoreTick)
	blocks := []reportBlock{{Heading: head, Note: note, Chart: f1, Table: t}}
	if len(m.ConfusionLabels) > 0 {
		counts := make([][]int64, len(m.Confusion))
		for i, row := range m.Confusion {
			counts[i] = make([]int64, len(row))
			for j, n := range row {
				counts[i][j] = int64(n)
			}
		}
		blocks = append(blocks, matrixBlock(id+"-confusion", fmt.Sprintf("Confusion matrix of %s", m.Name), "",
			"true label", "predicted label", m.ConfusionLabels, counts))
	}
	return blocks
}

var nonID = regexp.MustCompile(`[^a-z0-9]+`)

// htmlID turns a name into an id fragment of lower-case letters, digits and dashes.
func htmlID(name string) string {
	return strings.Trim(nonID.ReplaceAllString(strings.ToLower(name), "-"), "-")
}

// count writes n with thousands separators.
func count(n int64) string {
	s := strconv.FormatInt(n, 10)
	if n < 0 {
		return "-" + count(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func percent(v float64) string { return fmt.Sprintf("%.1f%%", 100*v) }

func score(v float64) string { return fmt.Sprintf("%.3f", v) }

func percentTick(v float64) string { return fmt.Sprintf("%.0f%%", 100*v) }

func scoreTick(v float64) string { return fmt.Sprintf("%.2f", v) }

func ratio64(a, b int64) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}
