package main

import (
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"os"
	"strings"

	commitlabeler "github.com/commit-labeler/commit-labeler"
	"github.com/commit-labeler/commit-labeler/pipeline"
	"github.com/commit-labeler/commit-labeler/store"
)

// auditCommand prints the commits of a repository whose declared label a
// confident out-of-fold prediction disagrees with, for a maintainer to
// review.
func auditCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, c := newCommonFlagSet("audit", stderr)
	repo := fs.String("repo", "", "repository to audit (owner/name), as the store names it")
	modelDir := modelFlag(fs)
	minConfidence := fs.Float64("min-confidence", 0.9, "list disagreements predicted with at least this probability")
	format := fs.String("format", "markdown", "output: markdown or html (--json: JSON)")
	positional, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(positional) > 0:
		return usageErrorf("unexpected argument %q", positional[0])
	case *repo == "":
		return usageErrorf("no --repo OWNER/NAME given")
	case *format != "markdown" && *format != "html":
		return usageErrorf("--format %q: want markdown or html", *format)
	case *minConfidence <= 0 || *minConfidence > 1:
		return usageErrorf("--min-confidence %v: want a probability in (0, 1]", *minConfidence)
	}
	global, err := loadModel(*modelDir)
	if err != nil {
		return err
	}
	defer global.Close()
	env, err := openEnv(ctx, c, pipeline.DefaultOptions(), stderr)
	if err != nil {
		return err
	}
	defer env.DB.Close()
	rows, audited, err := pipeline.Audit(ctx, env, global, *repo, *minConfidence)
	if err != nil {
		return fmt.Errorf("audit %s: %w", *repo, err)
	}
	switch {
	case c.json:
		return json.NewEncoder(stdout).Encode(map[string]any{"repo": *repo, "audited": audited, "disagreements": rows})
	case *format == "html":
		return auditPage.Execute(stdout, map[string]any{"Repo": *repo, "DB": c.db, "Audited": audited, "Rows": rows})
	}
	fmt.Fprintf(stdout, "# Label audit of %s\n\n%d of %d commits' declared labels disagree with a prediction of at least %.2f by a model that did not learn from them.\n\n",
		*repo, len(rows), audited, *minConfidence)
	fmt.Fprintln(stdout, "| commit | subject | declared | predicted | confidence |\n|---|---|---|---|---|")
	for _, r := range rows {
		fmt.Fprintf(stdout, "| %s | %s | %s | %s | %.0f%% |\n", r.SHA[:min(len(r.SHA), 12)], markdownCell(r.Subject), r.Declared, r.Predicted, 100*r.Confidence)
	}
	fmt.Fprintf(stdout, "\nA verdict becomes a maintainer's label, which the next learning takes over the header's:\n\n    train correct --db %s --repo %s --sha SHA --label LABEL\n", c.db, *repo)
	return nil
}

// markdownCell escapes a table cell.
func markdownCell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}

// auditPage is the audit as a self-contained HTML page.
var auditPage = template.Must(template.New("audit").Funcs(template.FuncMap{"mul100": func(p float64) float64 { return 100 * p }}).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Label audit of {{.Repo}}</title>
<style>body{font:14px system-ui,sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}code{font-size:13px}</style></head>
<body><h1>Label audit of {{.Repo}}</h1>
<p>{{len .Rows}} of {{.Audited}} commits' declared labels disagree with a confident prediction by a model that did not learn from them.</p>
<table><tr><th>commit</th><th>subject</th><th>declared</th><th>predicted</th><th>confidence</th></tr>
{{range .Rows}}<tr><td><code>{{printf "%.12s" .SHA}}</code></td><td>{{.Subject}}</td><td>{{.Declared}}</td><td>{{.Predicted}}</td><td>{{printf "%.0f%%" (mul100 .Confidence)}}</td></tr>
{{end}}</table>
<p>A verdict becomes a maintainer's label: <code>train correct --db {{.DB}} --repo {{.Repo}} --sha SHA --label LABEL</code></p>
</body></html>
`))

// correctCommand records a maintainer's verdict on a commit's label, as a
// correction on GitHub would: the label phase makes it a human label.
func correctCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, c := newCommonFlagSet("correct", stderr)
	repo := fs.String("repo", "", "repository (owner/name)")
	sha := fs.String("sha", "", "commit SHA (full)")
	label := fs.String("label", "", "the commit's label (vocabulary name, e.g. fix)")
	remove := fs.Bool("remove", false, "the commit does not carry --label (instead of: it does)")
	by := fs.String("by", os.Getenv("USER"), "who decided")
	positional, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(positional) > 0:
		return usageErrorf("unexpected argument %q", positional[0])
	case *repo == "" || *sha == "" || *label == "":
		return usageErrorf("--repo, --sha and --label are required")
	}
	if !commitlabeler.Default().Has(*label) {
		return usageErrorf("--label %q is not in the vocabulary (labels.json)", *label)
	}
	db, err := store.Open(ctx, c.db)
	if err != nil {
		return fmt.Errorf("--db %s: %w", c.db, err)
	}
	defer db.Close()
	action := store.CorrectionAdded
	if *remove {
		action = store.CorrectionRemoved
	}
	if err := db.AddCorrection(ctx, store.Correction{Repo: *repo, SHAs: []string{*sha}, Label: *label, Action: action, Sender: *by}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s %s %s on %s: the next label phase (or learning) takes it\n", *repo, action, *label, *sha)
	return nil
}
