package pipeline

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/net/html"

	commitlabeler "github.com/commit-labeler/commit-labeler"
	"github.com/commit-labeler/commit-labeler/classify"
	"github.com/commit-labeler/commit-labeler/store"
)

// evilRepo is a repository name that would run a script if not escaped.
const evilRepo = `<script>alert("x")</script>/repo`

// summaryFixture is a store filled by importing testdata/import-valid.jsonl
// (four commits with conventional labels) plus one commit of evilRepo,
// ollama labels on three commits, and two model directories in the
// returned models directory.
func summaryFixture(t testing.TB) (*Env, string) {
	t.Helper()
	ctx := context.Background()
	env := newTestEnv(t)
	if _, err := RunPhase(ctx, env, "import", func(ctx context.Context, env *Env) (Counts, error) {
		return Import(ctx, env, "testdata/import-valid.jsonl")
	}); err != nil {
		t.Fatal(err)
	}
	evil := insertCommits(t, env.DB, evilRepo, []store.Commit{testCommit(9, "add tests")})
	shas := map[string]int64{}
	queryRows(t, env.DB, `SELECT sha, id FROM commits`, func(rows *sql.Rows) error {
		var sha string
		var id int64
		err := rows.Scan(&sha, &id)
		shas[sha[:1]] = id
		return err
	})
	ollama := func(id int64, label string, conf float64) store.Labeling {
		return store.Labeling{CommitID: id, Source: store.SourceOllama, LabelerVersion: "test", Labels: []store.CommitLabel{{Label: label, Confidence: conf}}}
	}
	if err := env.DB.PutLabelings(ctx, []store.Labeling{ollama(shas["1"], "docs", 0.65), ollama(shas["2"], "fix", 0.92), ollama(evil[0], "test", 0.31)}); err != nil {
		t.Fatal(err)
	}

	dir := filepath.Join(t.TempDir(), "models")
	writeModelFixture(t, filepath.Join(dir, "sparse"), "sparse", 0.55, 1)
	writeModelFixture(t, filepath.Join(dir, "ensemble"), "ensemble", 0.75, 2)
	env.Options.ModelsOut = dir
	return env, dir
}

// writeModelFixture writes a model.json over the whole vocabulary whose
// metrics classify.Evaluate computes from seeded outcomes that are right
// about a share skill of the time.
func writeModelFixture(t testing.TB, dir, kind string, skill float64, seed uint64) *classify.Meta {
	t.Helper()
	labels := commitlabeler.Default().Names()
	r := rand.New(rand.NewPCG(seed, 7))
	var outcomes []classify.Scored
	for range 600 {
		truth := labels[min(int(r.ExpFloat64()*3), len(labels)-1)]
		p := make([]float32, len(labels))
		guess := commitlabeler.Default().Index(truth)
		if r.Float64() > skill {
			guess = r.IntN(len(labels))
		}
		p[guess] = 0.4 + 0.6*r.Float32()
		var applied []string
		if p[guess] > 0.6 {
			applied = []string{labels[guess]}
		}
		outcomes = append(outcomes, classify.Scored{Truth: []string{truth}, Probabilities: p, Applied: applied})
	}
	thresholds := map[string]float64{}
	for _, l := range labels {
		thresholds[l] = 0.6
	}
	meta := &classify.Meta{Kind: kind, Labels: labels, FeaturesVersion: classify.FeaturesVersion, Thresholds: thresholds,
		ThresholdTarget: 0.9, Metrics: classify.Evaluate(labels, outcomes), Fingerprint: "test",
		TrainExamples: 2400, ValidExamples: len(outcomes), ValidRepos: []string{"acme/gadgets"}, TrainSeconds: 12.5}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := classify.WriteMeta(dir, meta); err != nil {
		t.Fatal(err)
	}
	return meta
}

func TestSummarize(t *testing.T) {
	ctx := context.Background()
	env, dir := summaryFixture(t)
	// A directory without model.json is no model.
	if err := os.MkdirAll(filepath.Join(dir, "notes"), 0o755); err != nil {
		t.Fatal(err)
	}
	res, err := RunPhase(ctx, env, PhaseSummary, Summarize)
	if err != nil {
		t.Fatal(err)
	}
	wantCounts(t, res.Counts, Counts{CountSummaryCommits: 5, CountSummaryLabeled: 5, CountSummaryModels: 2})

	var s Summary
	data, err := os.ReadFile(filepath.Join(dir, SummaryJSON))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatalf("%s: %v", SummaryJSON, err)
	}
	t.Run("json", func(t *testing.T) { checkSummaryJSON(t, env.DB, &s) })
	t.Run("html", func(t *testing.T) { checkSummaryHTML(t, filepath.Join(dir, SummaryHTML)) })
	t.Run("markdown", func(t *testing.T) {
		md, err := os.ReadFile(filepath.Join(dir, SummaryMarkdown))
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{
			"| label | primary | share | any position |\n| --- | ---: | ---: | ---: |\n| feat | 1 | 20.0% | 1 |",
			"| repository | commits | feat | fix | chore | test |",
			"| &lt;script&gt;alert(\"x\")&lt;/script&gt;/repo | 1 | 0 | 0 | 0 | 1 |",
			"| conventional \\\\ ollama | feat | fix | docs |",
			"| model | kind | labels | train | valid | train s | macro-F1 |",
			"| ensemble | ensemble | 13 | 2,400 | 600 | 12.5 |",
			"### Model sparse (sparse)",
			"| import | 1 | 1 | ok |",
		} {
			if !strings.Contains(string(md), want) {
				t.Errorf("%s lacks %q:\n%s", SummaryMarkdown, want, md)
			}
		}
		if strings.Contains(string(md), "<script>") {
			t.Errorf("%s shows the repository name as markup", SummaryMarkdown)
		}
	})
}

// checkSummaryJSON compares the summary's numbers with the store's.
func checkSummaryJSON(t *testing.T, db *store.DB, s *Summary) {
	ctx := context.Background()
	if want := (store.CorpusCounts{Repositories: 3, Commits: 5, BotCommits: 1, WithFeatures: 4}); s.Corpus != want {
		t.Errorf("corpus = %+v, want %+v", s.Corpus, want)
	}
	eff, err := db.EffectiveLabels(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if s.Labeled != int64(len(eff)) {
		t.Errorf("labeled = %d, want %d", s.Labeled, len(eff))
	}
	if want := []string{"feat", "fix", "chore", "test", "i18n", "revert"}; !reflect.DeepEqual(s.Labels, want) {
		t.Errorf("labels = %v, want %v", s.Labels, want)
	}
	wantRepos := []LabelGroup{
		{Name: evilRepo, Total: 1, Counts: map[string]int64{"test": 1}},
		{Name: "acme/gadgets", Total: 2, Counts: map[string]int64{"chore": 1, "revert": 1}},
		{Name: "acme/widgets", Total: 2, Counts: map[string]int64{"feat": 1, "fix": 1}},
	}
	if !reflect.DeepEqual(s.ByRepository, wantRepos) {
		t.Errorf("by repository = %+v, want %+v", s.ByRepository, wantRepos)
	}
	wantYears := []LabelGroup{
		{Name: "2023", Total: 1, Counts: map[string]int64{"chore": 1}},
		{Name: "2024", Total: 4, Counts: map[string]int64{"feat": 1, "fix": 1, "revert": 1, "test": 1}},
	}
	if !reflect.DeepEqual(s.ByYear, wantYears) {
		t.Errorf("by year = %+v, want %+v", s.ByYear, wantYears)
	}
	wantAgreement := &Agreement{SourceA: "conventional", SourceB: "ollama", Commits: 2, Agreed: 1, Rate: 0.5, Kappa: (0.5 - 0.25) / (1 - 0.25),
		Labels: []string{"feat", "fix", "docs"}, Matrix: [][]int64{{0, 0, 1}, {0, 1, 0}, {0, 0, 0}}}
	if !reflect.DeepEqual(s.Agreement, wantAgreement) {
		t.Errorf("agreement = %+v, want %+v", s.Agreement, wantAgreement)
	}
	wantConf := []ConfidenceHistogram{
		{Source: "conventional", Total: 5, Bins: []int64{0, 0, 0, 0, 0, 0, 0, 0, 0, 5}},
		{Source: "ollama", Total: 3, Bins: []int64{0, 0, 0, 1, 0, 0, 1, 0, 0, 1}},
	}
	if !reflect.DeepEqual(s.Confidence, wantConf) {
		t.Errorf("confidence = %+v, want %+v", s.Confidence, wantConf)
	}
	if len(s.Runs) != 1 || s.Runs[0].Phase != "import" || s.Runs[0].Last.Status != store.RunOK || s.Runs[0].Last.Counts[CountImported] != 4 {
		t.Errorf("runs = %+v, want the one import", s.Runs)
	}
	if len(s.Models) != 2 {
		t.Fatalf("models = %+v, want ensemble and sparse", s.Models)
	}
	for _, m := range s.Models {
		meta, err := classify.ReadMeta(filepath.Join(s.ModelsDir, m.Name))
		if err != nil {
			t.Fatal(err)
		}
		met := meta.Metrics
		if m.Kind != meta.Kind || m.MacroF1 != met.MacroF1 || m.Accuracy != met.Accuracy || m.AppliedCoverage != met.AppliedCoverage ||
			m.CoverageAtPrecision(0.9) != met.CoverageAt[2].Coverage || !reflect.DeepEqual(m.Confusion, met.Confusion) ||
			m.PerLabel[1].F1 != met.PerLabel["fix"].F1 || m.PerLabel[1].Threshold != 0.6 || m.ValidExamples != 600 {
			t.Errorf("model %s = %+v, want the numbers of %+v", m.Name, m, met)
		}
	}
	if s.Models[0].Name != "ensemble" || s.Models[0].MacroF1 <= s.Models[1].MacroF1 {
		t.Errorf("models %s (%.3f), %s (%.3f): want ensemble first and better", s.Models[0].Name, s.Models[0].MacroF1, s.Models[1].Name, s.Models[1].MacroF1)
	}
}

// summaryChartTitles are the titles of the SVG charts the fixture's page has.
var summaryChartTitles = []string{
	"Primary label per repository", "Primary label per year (UTC)", "Agreement of conventional and ollama",
	"Label confidence by labeler", "Model comparison", "Per-label F1 of ensemble", "Confusion matrix of ensemble",
	"Per-label F1 of sparse", "Confusion matrix of sparse",
}

// checkSummaryHTML checks that the page is balanced HTML without scripts
// whose charts carry titles and a table each.
func checkSummaryHTML(t *testing.T, path string) {
	page, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := balancedHTML(page); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(findElements(doc, "script")); n != 0 {
		t.Errorf("page has %d script elements, want none (repository name not escaped?)", n)
	}
	if !strings.Contains(string(page), "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;/repo") {
		t.Errorf("page lacks the escaped repository name")
	}
	if got := svgTitles(doc); !reflect.DeepEqual(got, summaryChartTitles) {
		t.Errorf("chart titles = %q, want %q", got, summaryChartTitles)
	}
	if tables, details := len(findElements(doc, "table")), len(findElements(doc, "details")); details != len(summaryChartTitles) || tables < details+3 {
		t.Errorf("%d tables, %d details: want a table behind each of the %d charts and the corpus, runs and totals tables", tables, details, len(summaryChartTitles))
	}
	for _, tag := range []string{"link", "img", "iframe", "object"} {
		if n := len(findElements(doc, tag)); n != 0 {
			t.Errorf("page has %d %s elements: it must need no other file", n, tag)
		}
	}
}

// voidElements have no end tag.
var voidElements = map[string]bool{"area": true, "base": true, "br": true, "col": true, "embed": true, "hr": true,
	"img": true, "input": true, "link": true, "meta": true, "source": true, "track": true, "wbr": true}

// balancedHTML checks that every element the page opens it closes, in order.
func balancedHTML(page []byte) error {
	z := html.NewTokenizer(bytes.NewReader(page))
	var open []string
	for {
		switch z.Next() {
		case html.ErrorToken:
			if len(open) > 0 {
				return fmt.Errorf("unclosed elements %v", open)
			}
			return nil
		case html.StartTagToken:
			name, _ := z.TagName()
			if !voidElements[string(name)] {
				open = append(open, string(name))
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			if len(open) == 0 || open[len(open)-1] != string(name) {
				return fmt.Errorf("</%s> closes %v", name, open)
			}
			open = open[:len(open)-1]
		}
	}
}

// findElements returns the elements named tag under n, in document order.
func findElements(n *html.Node, tag string) []*html.Node {
	var out []*html.Node
	for d := range n.Descendants() {
		if d.Type == html.ElementNode && d.Data == tag {
			out = append(out, d)
		}
	}
	return out
}

// svgTitles returns the text of the title child of every svg element that
// has one.
func svgTitles(doc *html.Node) []string {
	var out []string
	for _, svg := range findElements(doc, "svg") {
		for c := range svg.ChildNodes() {
			if c.Type == html.ElementNode && c.Data == "title" && c.FirstChild != nil {
				out = append(out, c.FirstChild.Data)
			}
		}
	}
	return out
}

func TestSummarizeNeedsDirectory(t *testing.T) {
	env := newTestEnv(t)
	env.Options.ModelsOut = ""
	if _, err := Summarize(context.Background(), env); err == nil || !strings.Contains(err.Error(), "--out") {
		t.Fatalf("err = %v, want one naming --out", err)
	}
}

func TestSummarizeBadModel(t *testing.T) {
	env := newTestEnv(t)
	env.Options.ModelsOut = t.TempDir()
	bad := filepath.Join(env.Options.ModelsOut, "broken")
	if err := os.MkdirAll(bad, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(bad, classify.MetaFile), []byte(`{"format": 1, "kind": "x"`), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Summarize(context.Background(), env)
	if err == nil || !strings.Contains(err.Error(), bad) {
		t.Fatalf("err = %v, want one naming %s", err, bad)
	}
	if _, err := os.Stat(filepath.Join(env.Options.ModelsOut, SummaryHTML)); !os.IsNotExist(err) {
		t.Errorf("%s written despite the error (%v)", SummaryHTML, err)
	}
}

// TestSummarizeEmptyStore reports a store without commits, labels or models.
func TestSummarizeEmptyStore(t *testing.T) {
	env := newTestEnv(t)
	env.Options.ModelsOut = filepath.Join(t.TempDir(), "new")
	counts, err := Summarize(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	wantCounts(t, counts, Counts{CountSummaryCommits: 0, CountSummaryModels: 0})
	page, err := os.ReadFile(filepath.Join(env.Options.ModelsOut, SummaryHTML))
	if err != nil {
		t.Fatal(err)
	}
	if err := balancedHTML(page); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"No commit carries labels yet", "No model.json found"} {
		if !bytes.Contains(page, []byte(want)) {
			t.Errorf("page lacks %q", want)
		}
	}
}

// FuzzSummaryNames renders a report whose repository, year and model names
// are arbitrary text: the page stays balanced HTML without elements from
// the names, and each Markdown table row keeps its cells.
func FuzzSummaryNames(f *testing.F) {
	for _, s := range []string{evilRepo, "a|b\nc", "x</title><svg onload=alert(1)>", "`code` *bold* [link](u)", "\\|", "</textarea>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		s := &Summary{Labels: []string{"fix"}, Labeled: 1,
			ByRepository: []LabelGroup{{Name: name, Total: 1, Counts: map[string]int64{"fix": 1}}},
			ByYear:       []LabelGroup{{Name: name, Total: 1, Counts: map[string]int64{"fix": 1}}},
			Models:       []ModelSummary{{Name: name, Kind: name, Labels: []string{"fix"}, HasMetrics: true, ConfusionLabels: []string{"fix"}, Confusion: [][]int{{1}}}},
		}
		r := newReport(s)
		var page, md bytes.Buffer
		if err := r.writeHTML(&page); err != nil {
			t.Fatal(err)
		}
		if err := balancedHTML(page.Bytes()); err != nil {
			t.Fatalf("name %q: %v", name, err)
		}
		doc, err := html.Parse(bytes.NewReader(page.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		if n := len(findElements(doc, "script")); n > 0 {
			t.Fatalf("name %q made %d script elements", name, n)
		}
		if err := r.writeMarkdown(&md); err != nil {
			t.Fatal(err)
		}
		cell := markdownText(name)
		if strings.ContainsAny(strings.ReplaceAll(cell, `\|`, ""), "|<>\n\r") {
			t.Fatalf("markdown cell %q of %q can break the table or hold markup", cell, name)
		}
	})
}
