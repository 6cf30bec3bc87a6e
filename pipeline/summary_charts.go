package pipeline

import (
	"fmt"
	"math"
	"unicode/utf8"

	commitlabeler "github.com/commit-labeler/commit-labeler"
)

// chart is an SVG chart laid out in Go: shapes with coordinates, drawn by
// the HTML template, which escapes every text.
type chart struct {
	// ID prefixes the ids of the title and description elements.
	ID            string
	Title, Desc   string
	Width, Height float64
	Lines         []chartLine
	Rects         []chartRect
	Texts         []chartText
	Legend        []legendEntry
}

// chartLine is an axis or grid line; Class is "axis" or "grid".
type chartLine struct {
	X1, Y1, X2, Y2 float64
	Class          string
}

// chartRect is a bar or a cell; Tip is its tooltip.
type chartRect struct {
	X, Y, W, H float64
	Fill, Tip  string
}

// chartText is a label. Anchor is start, middle or end; Rotate turns it a
// quarter counter-clockwise around its point; Class is "tick", "axis-title",
// "value" or "cell" ("cell dark" on a dark cell).
type chartText struct {
	X, Y   float64
	Text   string
	Anchor string
	Class  string
	Rotate bool
}

// legendEntry names a colour of the chart.
type legendEntry struct{ Color, Label string }

// Layout constants of the charts, in SVG user units (CSS pixels at 1:1).
const (
	chartWidth = 1000.0
	// charWidth estimates the width of a character of the 12px labels.
	charWidth  = 6.8
	maxLabel   = 34
	barRowH    = 22.0
	barH       = 14.0
	columnPlot = 220.0
	heatCell   = 42.0
)

// labelPalette colours the vocabulary's labels, in vocabulary order:
// distinguishable neighbours in stacked bars (GitHub's label colours are
// too alike for that).
var labelPalette = []string{
	"#4e79a7", "#e15759", "#76b7b2", "#9d9d9d", "#f28e2b", "#59a14f", "#edc948",
	"#ff9da7", "#b07aa1", "#9c755f", "#17becf", "#7b2d26", "#c9c9c9",
}

// seriesPalette colours the series of grouped charts (sources, metrics).
var seriesPalette = []string{"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#b07aa1"}

// labelColor returns the chart colour of a label.
func labelColor(label string) string {
	if i := commitlabeler.Default().Index(label); i >= 0 && i < len(labelPalette) {
		return labelPalette[i]
	}
	return "#555555"
}

// chartLabel cuts s to maxLabel characters with an ellipsis.
func chartLabel(s string) string {
	if utf8.RuneCountInString(s) <= maxLabel {
		return s
	}
	r := []rune(s)
	return string(r[:maxLabel-1]) + "…"
}

// textWidth estimates the width of the longest of the labels once shortened.
func textWidth(labels []string) float64 {
	n := 0
	for _, l := range labels {
		n = max(n, utf8.RuneCountInString(chartLabel(l)))
	}
	return float64(n) * charWidth
}

// barRow is one horizontal bar: one segment, or stacked segments.
type barRow struct {
	Label    string
	Segments []barSegment
	// Note is written after the bar (its value, its total).
	Note string
}

// barSegment is one part of a bar.
type barSegment struct {
	Value      float64
	Color, Tip string
}

// hbarChart lays out horizontal (stacked) bars over [0, maxValue] with five
// ticks formatted by tick along an x axis titled xTitle.
func hbarChart(id, title, desc, xTitle string, rows []barRow, maxValue float64, tick func(float64) string) *chart {
	labels := make([]string, len(rows))
	for i, r := range rows {
		labels[i] = r.Label
	}
	left := textWidth(labels) + 16
	right := 64.0
	top := 8.0
	plotW := chartWidth - left - right
	plotH := float64(len(rows)) * barRowH
	c := &chart{ID: id, Title: title, Desc: desc, Width: chartWidth, Height: top + plotH + 52}
	scale := func(v float64) float64 { return left + plotW*v/maxValue }
	for i := 0; i <= 4; i++ {
		v := maxValue * float64(i) / 4
		x := scale(v)
		c.Lines = append(c.Lines, chartLine{x, top, x, top + plotH, "grid"})
		c.Texts = append(c.Texts, chartText{X: x, Y: top + plotH + 16, Text: tick(v), Anchor: "middle", Class: "tick"})
	}
	c.Lines = append(c.Lines, chartLine{left, top, left, top + plotH, "axis"}, chartLine{left, top + plotH, left + plotW, top + plotH, "axis"})
	c.Texts = append(c.Texts, chartText{X: left + plotW/2, Y: top + plotH + 40, Text: xTitle, Anchor: "middle", Class: "axis-title"})
	for i, r := range rows {
		y := top + float64(i)*barRowH
		c.Texts = append(c.Texts, chartText{X: left - 8, Y: y + barRowH/2 + 4, Text: chartLabel(r.Label), Anchor: "end", Class: "tick"})
		x := left
		for _, s := range r.Segments {
			w := plotW * s.Value / maxValue
			if w > 0 {
				c.Rects = append(c.Rects, chartRect{X: x, Y: y + (barRowH-barH)/2, W: w, H: barH, Fill: s.Color, Tip: s.Tip})
			}
			x += w
		}
		if r.Note != "" {
			c.Texts = append(c.Texts, chartText{X: x + 6, Y: y + barRowH/2 + 4, Text: r.Note, Anchor: "start", Class: "value"})
		}
	}
	return c
}

// series is one colour of a grouped column chart: a value per category.
type series struct {
	Name  string
	Color string
	// Values and their tooltips, one per category.
	Values []float64
	Tips   []string
}

// columnChart lays out grouped vertical bars: per category one bar per
// series, over [0, maxValue] with five ticks.
func columnChart(id, title, desc, xTitle, yTitle string, categories []string, ss []series, maxValue float64, tick func(float64) string) *chart {
	left, right, top := 64.0, 16.0, 12.0
	plotW := chartWidth - left - right
	c := &chart{ID: id, Title: title, Desc: desc, Width: chartWidth, Height: top + columnPlot + 60}
	if maxValue <= 0 {
		maxValue = 1
	}
	bottom := top + columnPlot
	for i := 0; i <= 4; i++ {
		v := maxValue * float64(i) / 4
		y := bottom - columnPlot*v/maxValue
		c.Lines = append(c.Lines, chartLine{left, y, left + plotW, y, "grid"})
		c.Texts = append(c.Texts, chartText{X: left - 6, Y: y + 4, Text: tick(v), Anchor: "end", Class: "tick"})
	}
	c.Lines = append(c.Lines, chartLine{left, top, left, bottom, "axis"}, chartLine{left, bottom, left + plotW, bottom, "axis"})
	c.Texts = append(c.Texts,
		chartText{X: left + plotW/2, Y: bottom + 44, Text: xTitle, Anchor: "middle", Class: "axis-title"},
		chartText{X: 16, Y: top + columnPlot/2, Text: yTitle, Anchor: "middle", Class: "axis-title", Rotate: true})
	groupW := plotW / float64(max(len(categories), 1))
	barW := math.Min(groupW*0.8/float64(max(len(ss), 1)), 48)
	for i, cat := range categories {
		x0 := left + float64(i)*groupW + (groupW-barW*float64(len(ss)))/2
		for j, s := range ss {
			h := columnPlot * s.Values[i] / maxValue
			c.Rects = append(c.Rects, chartRect{X: x0 + float64(j)*barW, Y: bottom - h, W: barW - 1, H: h, Fill: s.Color, Tip: s.Tips[i]})
		}
		c.Texts = append(c.Texts, chartText{X: left + (float64(i)+0.5)*groupW, Y: bottom + 18, Text: chartLabel(cat), Anchor: "middle", Class: "tick"})
	}
	for _, s := range ss {
		c.Legend = append(c.Legend, legendEntry{s.Color, s.Name})
	}
	return c
}

// heatMap lays out a confusion matrix: rows are rowTitle (true) labels,
// columns colTitle (predicted) labels, each cell its count, coloured by its
// share of the row.
func heatMap(id, title, desc, rowTitle, colTitle string, labels []string, counts [][]int64) *chart {
	left := textWidth(labels) + 40
	top := 92.0
	n := float64(len(labels))
	c := &chart{ID: id, Title: title, Desc: desc, Width: math.Max(chartWidth, left+n*heatCell+16), Height: top + n*heatCell + 16}
	c.Texts = append(c.Texts,
		chartText{X: left + n*heatCell/2, Y: 16, Text: colTitle, Anchor: "middle", Class: "axis-title"},
		chartText{X: 16, Y: top + n*heatCell/2, Text: rowTitle, Anchor: "middle", Class: "axis-title", Rotate: true})
	for j, l := range labels {
		c.Texts = append(c.Texts, chartText{X: left + (float64(j)+0.5)*heatCell + 4, Y: top - 8, Text: chartLabel(l), Anchor: "start", Class: "tick", Rotate: true})
	}
	for i, row := range counts {
		y := top + float64(i)*heatCell
		c.Texts = append(c.Texts, chartText{X: left - 8, Y: y + heatCell/2 + 4, Text: chartLabel(labels[i]), Anchor: "end", Class: "tick"})
		total := sum(row)
		for j, v := range row {
			share := 0.0
			if total > 0 {
				share = float64(v) / float64(total)
			}
			x := left + float64(j)*heatCell
			tip := fmt.Sprintf("%s %s, %s %s: %d (%.0f%% of the row)", rowTitle, labels[i], colTitle, labels[j], v, 100*share)
			c.Rects = append(c.Rects, chartRect{X: x, Y: y, W: heatCell - 2, H: heatCell - 2, Fill: heatColor(share), Tip: tip})
			if v > 0 {
				class := "cell"
				if share > 0.5 {
					class = "cell dark"
				}
				c.Texts = append(c.Texts, chartText{X: x + heatCell/2 - 1, Y: y + heatCell/2 + 3, Text: compactCount(v), Anchor: "middle", Class: class})
			}
		}
	}
	return c
}

// heatColor blends from a near-white to a dark blue by share in [0, 1].
func heatColor(share float64) string {
	from, to := [3]float64{0xf4, 0xf7, 0xfb}, [3]float64{0x08, 0x3d, 0x8c}
	var rgb [3]int
	for k := range rgb {
		rgb[k] = int(math.Round(from[k] + (to[k]-from[k])*math.Sqrt(share)))
	}
	return fmt.Sprintf("#%02x%02x%02x", rgb[0], rgb[1], rgb[2])
}

// compactCount writes counts of 10,000 and more in thousands, to fit a cell.
func compactCount(v int64) string {
	if v >= 10000 {
		return fmt.Sprintf("%.0fk", float64(v)/1000)
	}
	return fmt.Sprint(v)
}
