package pipeline

import (
	"embed"
	"html/template"
	"io"
	"math"
	"strconv"
)

// templateFS holds the report templates.
//
//go:embed templates
var templateFS embed.FS

// htmlTemplate renders summary.html: one self-contained page with inline CSS
// and SVG, every text escaped by html/template.
var htmlTemplate = template.Must(template.New("summary.html.tmpl").
	Funcs(template.FuncMap{"num": svgNumber}).
	ParseFS(templateFS, "templates/summary.html.tmpl"))

// svgNumber writes a coordinate with at most one decimal.
func svgNumber(v float64) string { return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64) }

// writeHTML writes the report as one HTML page.
func (r *report) writeHTML(w io.Writer) error {
	return htmlTemplate.Execute(w, r)
}
