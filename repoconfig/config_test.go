package repoconfig

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"

	commitlabeler "github.com/commit-labeler/commit-labeler"
	"github.com/commit-labeler/commit-labeler/classify"
)

func TestParseRepoConfig(t *testing.T) {
	vocab := commitlabeler.Default()
	tests := []struct {
		name, file string
		wantErr    []string // substrings of the error; none for a valid file
		check      func(t *testing.T, c Config)
	}{
		{name: "empty", file: "", check: func(t *testing.T, c Config) {
			if !c.Enabled || c.MaxLabels != 3 || !c.CheckRuns || !c.LabelDrafts || c.DryRun || c.GitHubLabel("fix") != "type: fix" {
				t.Errorf("defaults = %+v", c)
			}
		}},
		{name: "full", file: `
enabled: true
labels:
  feat: enhancement
  fix: bug
threshold: 0.4
thresholds:
  fix: 0.7
max_labels: 1
dry_run: true
check_runs: false
label_drafts: false
ignore_authors: ["*[bot]", "renovate*", "a?c"]
`, check: func(t *testing.T, c Config) {
			if c.GitHubLabel("fix") != "bug" || c.GitHubLabel("docs") != "type: docs" {
				t.Errorf("mapping: fix→%q docs→%q", c.GitHubLabel("fix"), c.GitHubLabel("docs"))
			}
			if name, ok := c.VocabularyLabel("Enhancement"); !ok || name != "feat" {
				t.Errorf("VocabularyLabel(Enhancement) = %q, %v", name, ok)
			}
			if _, ok := c.VocabularyLabel("type: fix"); ok {
				t.Errorf("the default name of a mapped label still maps")
			}
			if !c.IgnoresAuthor("dependabot[bot]") || !c.IgnoresAuthor("Renovate-bot") || !c.IgnoresAuthor("abc") ||
				c.IgnoresAuthor("octocat") || c.IgnoresAuthor("robot") || c.IgnoresAuthor("abbc") {
				t.Errorf("ignore_authors globs do not match as expected")
			}
			if c.MaxLabels != 1 || !c.DryRun || c.CheckRuns || c.LabelDrafts || c.Threshold != 0.4 {
				t.Errorf("config = %+v", c)
			}
		}},
		{name: "unknown key", file: "enabled: true\nmax_lables: 2\n", wantErr: []string{"line 2: max_lables: unknown key; did you mean max_labels?"}},
		{name: "swapped letters", file: "lables:\n  fix: bug\n", wantErr: []string{"line 1: lables: unknown key; did you mean labels?"}},
		{name: "unknown key, nothing near", file: "colour: red\n", wantErr: []string{"line 1: colour: unknown key"}},
		{name: "misspelt label", file: "thresholds:\n  dcos: 0.5\n", wantErr: []string{`line 2: thresholds: "dcos" is not a label of the vocabulary; did you mean docs?`}},
		{name: "key twice", file: "max_labels: 2\nmax_labels: 3\n", wantErr: []string{"line 2: max_labels: set again (first on line 1)"}},
		{name: "fraction of a label", file: "max_labels: 2.5\n", wantErr: []string{`line 1: max_labels: "2.5": want a whole number`}},
		{name: "nested bad types", file: "thresholds:\n  fix: high\n  docs: [1]\n", wantErr: []string{
			`line 2: thresholds: "high": want a mapping of labels to numbers`, "line 3: thresholds: a list: want"}},
		{name: "unknown label", file: "labels:\n  feat: enhancement\n  feature: x\n", wantErr: []string{"line 3", `"feature" is not a label`}},
		{name: "threshold range", file: "thresholds:\n  fix: 1.5\nthreshold: -1\n", wantErr: []string{"line 2: thresholds: fix: 1.5", "line 3: threshold: -1"}},
		{name: "mapped onto a default name", file: "labels:\n  feat: 'Type: Fix'\n", wantErr: []string{"line 2", "feat and fix both map"}},
		{name: "two labels one name", file: "labels:\n  feat: x\n  fix: X\n", wantErr: []string{"line 3", "both map"}},
		{name: "empty pattern", file: "ignore_authors: ['']\n", wantErr: []string{"line 1", "empty pattern"}},
		{name: "bad type", file: "max_labels: many\n", wantErr: []string{`line 1: max_labels: "many": want a whole number, 1 or more`}},
		{name: "max labels", file: "max_labels: 0\n", wantErr: []string{"line 1", "max_labels: 0"}},
		{name: "precision", file: "precision: 0.9\n", check: func(t *testing.T, c Config) {
			if c.Precision != 0.9 || c.Point != nil {
				t.Errorf("precision %v, point %v: want 0.9 and no point before WithModel", c.Precision, c.Point)
			}
		}},
		{name: "precision range", file: "precision: 1.2\n", wantErr: []string{"line 1", "precision: 1.2"}},
		{name: "precision and threshold", file: "threshold: 0.5\nprecision: 0.8\n", wantErr: []string{"line 2", "precision and threshold both set"}},
		{name: "not a mapping", file: "- a\n", wantErr: []string{"line 1"}},
		{name: "bad yaml", file: "labels: [\n", wantErr: []string{Path, "line 1: not valid YAML: did not find expected node content"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse([]byte(tt.file), vocab)
			if len(tt.wantErr) == 0 {
				if err != nil {
					t.Fatal(err)
				}
				tt.check(t, c)
				return
			}
			if err == nil {
				t.Fatalf("no error, want %q", tt.wantErr)
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if d := Default(vocab); c.MaxLabels != d.MaxLabels || c.GitHubLabel("fix") != d.GitHubLabel("fix") {
				t.Errorf("an invalid file did not give the defaults: %+v", c)
			}
		})
	}
}

// TestParseRepoConfigListsEveryError: an invalid file's error lists every
// problem at its line, in line order, not only the first.
func TestParseRepoConfigListsEveryError(t *testing.T) {
	file := "lables:\n  fix: bug\nthreshold: 2\nmax_labels: many\ndryrun: true\nthresholds:\n  feature: 0.5\n"
	_, err := Parse([]byte(file), commitlabeler.Default())
	var invalid *InvalidError
	if !errors.As(err, &invalid) {
		t.Fatalf("error %v (%T), want an *InvalidError", err, err)
	}
	want := []Problem{
		{1, "lables: unknown key; did you mean labels?"},
		{3, "threshold: 2 is not between 0 and 1"},
		{4, `max_labels: "many": want a whole number, 1 or more`},
		{5, "dryrun: unknown key; did you mean dry_run?"},
		{7, `thresholds: "feature" is not a label of the vocabulary (` + strings.Join(commitlabeler.Default().Names(), ", ") + ")"},
	}
	if !slices.Equal(invalid.Problems, want) {
		t.Errorf("problems:\n%v\nwant:\n%v", invalid.Problems, want)
	}
}

func TestDidYouMean(t *testing.T) {
	for _, tt := range []struct{ name, want string }{
		{"lables", "; did you mean labels?"},
		{"max_label", "; did you mean max_labels?"},
		{"treshold", "; did you mean threshold?"},
		{"thresholdz", "; did you mean threshold?"},
		{"label", "; did you mean labels?"},
		{"colour", ""},
		{"ab", ""},
		{"", ""},
	} {
		if got := didYouMean(tt.name, keyNames); got != tt.want {
			t.Errorf("didYouMean(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestRepoConfigSelect(t *testing.T) {
	vocab := commitlabeler.Default()
	model := classify.Prediction{
		Source: classify.SourceModel,
		Labels: []classify.LabelScore{{Label: "fix", Probability: 0.6}},
		Scores: []classify.LabelScore{{Label: "fix", Probability: 0.6}, {Label: "test", Probability: 0.45}, {Label: "docs", Probability: 0.2}},
	}
	title := classify.Prediction{Source: classify.SourceTitle,
		Labels: []classify.LabelScore{{Label: "feat", Probability: 1}, {Label: "i18n", Probability: 1}}}
	tests := []struct {
		name string
		file string
		p    classify.Prediction
		want []string
	}{
		{"model's own choice", "", model, []string{"fix"}},
		{"global threshold", "threshold: 0.4\n", model, []string{"fix", "test"}},
		{"per-label threshold", "thresholds:\n  fix: 0.7\n  docs: 0.1\n", model, []string{"docs"}},
		{"max labels", "threshold: 0.1\nmax_labels: 2\n", model, []string{"fix", "test"}},
		{"title ignores thresholds", "threshold: 0.99\n", title, []string{"feat", "i18n"}},
		{"abstain", "", classify.Prediction{Source: classify.SourceModel, Abstain: true}, nil},
		// The curve's 0.90 thresholds hold fix back; its 0.70 ones let test through.
		{"asked precision holds back", "precision: 0.9\n", model, nil},
		{"asked precision lets through", "precision: 0.7\n", model, []string{"fix", "test"}},
		{"per-label threshold beats precision", "precision: 0.9\nthresholds:\n  fix: 0.5\n", model, []string{"fix"}},
	}
	curve := &classify.Meta{OperatingPoints: []classify.OperatingPoint{
		{Target: 0.7, Precision: 0.72, Coverage: 0.6, Thresholds: map[string]float64{"fix": 0.5, "test": 0.4, "docs": 0.9}},
		{Target: 0.9, Precision: 0.91, Coverage: 0.2, Thresholds: map[string]float64{"fix": 0.8, "test": 0.4, "docs": 0.9}},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse([]byte(tt.file), vocab)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, s := range c.WithModel(curve).Select(tt.p) {
				got = append(got, s.Label)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Select = %v, want %v", got, tt.want)
			}
		})
	}
}

// FuzzRepoConfig checks that no file crashes the parser, that every
// rejected file gets an *InvalidError whose problems say something at a
// line of the file, and that every accepted file gives a usable
// configuration.
func FuzzRepoConfig(f *testing.F) {
	vocab := commitlabeler.Default()
	for _, seed := range []string{
		"", "enabled: false\n", "labels:\n  fix: bug\n", "thresholds:\n  fix: 0.5\n", "max_labels: 2\n",
		"ignore_authors: ['*[bot]']\n", "a: &x [*x]\n", "labels: {fix: }\n", "? [a]\n: b\n",
		"lables:\n  fix: bug\nmax_labels: 2.5\nmax_labels: x\n", "thresholds: {fix: [1], dcos: 2}\n", "- a\n", "labels: [\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data, vocab)
		if err != nil {
			var invalid *InvalidError
			if !errors.As(err, &invalid) || len(invalid.Problems) == 0 {
				t.Fatalf("error %v (%T) lists no problem", err, err)
			}
			// YAML breaks lines at \n, \r\n and \r.
			unix := bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
			lines := bytes.Count(unix, []byte("\n")) + bytes.Count(unix, []byte("\r")) + 1
			for _, p := range invalid.Problems {
				if p.Message == "" || p.Line < 0 || p.Line > lines {
					t.Fatalf("problem %+v of a %d-line file", p, lines)
				}
			}
			return
		}
		if c.MaxLabels < 1 {
			t.Fatalf("accepted max_labels %d", c.MaxLabels)
		}
		for _, name := range vocab.Names() {
			gh := c.GitHubLabel(name)
			if back, ok := c.VocabularyLabel(gh); gh == "" || !ok || back != name {
				t.Fatalf("label %s maps to %q, which maps back to %q", name, gh, back)
			}
		}
	})
}
