package pipeline

import (
	"io"
	"strings"
	"text/template"
)

// markdownTemplate renders summary.md; the md function escapes a cell.
var markdownTemplate = template.Must(template.New("summary.md.tmpl").
	Funcs(template.FuncMap{"md": markdownText}).
	ParseFS(templateFS, "templates/summary.md.tmpl"))

// markdownEscaper keeps a text on one table cell and shows markup as text:
// a repository may be named anything.
var markdownEscaper = strings.NewReplacer(
	"\\", "\\\\", "|", "\\|", "<", "&lt;", ">", "&gt;", "&", "&amp;", "`", "\\`", "*", "\\*", "_", "\\_",
	"[", "\\[", "]", "\\]", "\r", " ", "\n", " ",
)

func markdownText(s string) string { return markdownEscaper.Replace(s) }

// writeMarkdown writes the report as Markdown tables.
func (r *report) writeMarkdown(w io.Writer) error {
	return markdownTemplate.Execute(w, r)
}
