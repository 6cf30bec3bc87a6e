// Package repoconfig reads a repository's .github/commit-labeler.yml: it
// parses and checks the file against the label vocabulary, fills in the
// defaults, and names every problem it finds (a misspelt key with the
// name it probably meant), so that the bot can report them in a check run.
package repoconfig

import (
	"cmp"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	commitlabeler "github.com/commit-labeler/commit-labeler"
	"github.com/commit-labeler/commit-labeler/classify"
)

// Path is the repository configuration file, read from the default branch.
const Path = ".github/commit-labeler.yml"

// defaultMaxLabels is how many labels a pull request gets at most by default.
const defaultMaxLabels = 3

// gitHubLabelMax is the longest label name GitHub accepts.
const gitHubLabelMax = 50

// Config is a repository's configuration, defaults filled in.
type Config struct {
	// Enabled turns the bot on for the repository.
	Enabled bool
	// Threshold is the least probability a model label needs; 0 keeps the
	// model's own decision.
	Threshold float64
	// Thresholds override Threshold per vocabulary label.
	Thresholds map[string]float64
	// Precision, when set, is the precision the repository asks of the
	// model's labels: the thresholds come from the model's operating curve
	// (classify.Meta.PointFor) instead of its default ones. Threshold and
	// Thresholds still win where set.
	Precision float64
	// Point is the operating point Precision resolved to against the
	// served model (WithModel); nil without Precision or a curve.
	Point *classify.OperatingPoint
	// MaxLabels caps the labels applied to a pull request.
	MaxLabels int
	// DryRun computes and stores everything but writes nothing to GitHub.
	DryRun bool
	// CheckRuns turns the explaining check runs on.
	CheckRuns bool
	// LabelDrafts labels draft pull requests too.
	LabelDrafts bool
	// IgnoreAuthors are patterns of logins whose pull requests and commits
	// are not labeled, e.g. "*[bot]": "*" matches any run of characters,
	// "?" one character, anything else itself (brackets included), without
	// regard to case, like GitHub logins.
	IgnoreAuthors []string

	// names maps vocabulary names to GitHub label names; byGitHub reverses it
	// (lower-cased: GitHub label names ignore case).
	names    map[string]string
	byGitHub map[string]string
	vocab    *commitlabeler.Vocabulary
	ignore   []*regexp.Regexp
}

// configFile is the YAML document; pointers tell unset keys from zeros.
type configFile struct {
	Enabled       *bool              `yaml:"enabled"`
	Labels        map[string]string  `yaml:"labels"`
	Threshold     *float64           `yaml:"threshold"`
	Thresholds    map[string]float64 `yaml:"thresholds"`
	Precision     *float64           `yaml:"precision"`
	MaxLabels     *int               `yaml:"max_labels"`
	DryRun        *bool              `yaml:"dry_run"`
	CheckRuns     *bool              `yaml:"check_runs"`
	LabelDrafts   *bool              `yaml:"label_drafts"`
	IgnoreAuthors []string           `yaml:"ignore_authors"`
}

// Default is the configuration of a repository without a file:
// enabled, the model's thresholds, three labels at most, check runs on,
// drafts labeled, labels named as in labels.json.
func Default(vocab *commitlabeler.Vocabulary) Config {
	c := Config{Enabled: true, MaxLabels: defaultMaxLabels, CheckRuns: true, LabelDrafts: true, vocab: vocab}
	c.setNames(nil)
	return c
}

// Parse parses a configuration file strictly. An invalid file is an
// *InvalidError listing every error at its line: YAML that does not parse,
// unknown keys (with the nearest known key), values of the wrong form,
// labels outside the vocabulary, thresholds outside [0, 1], bad globs; the
// configuration returned with it is the defaults. An empty file gives the
// defaults.
func Parse(data []byte, vocab *commitlabeler.Vocabulary) (Config, error) {
	c := Default(vocab)
	f, root, problems := decodeFile(data)
	if err := invalid(append(problems, f.validate(root, vocab)...)); err != nil {
		return c, err
	}
	c.Enabled = deref(f.Enabled, c.Enabled)
	c.Threshold = deref(f.Threshold, c.Threshold)
	c.Thresholds = f.Thresholds
	c.Precision = deref(f.Precision, c.Precision)
	c.MaxLabels = deref(f.MaxLabels, c.MaxLabels)
	c.DryRun = deref(f.DryRun, c.DryRun)
	c.CheckRuns = deref(f.CheckRuns, c.CheckRuns)
	c.LabelDrafts = deref(f.LabelDrafts, c.LabelDrafts)
	c.IgnoreAuthors = f.IgnoreAuthors
	for _, g := range f.IgnoreAuthors {
		c.ignore = append(c.ignore, loginPattern(g))
	}
	c.setNames(f.Labels)
	return c, nil
}

// validate checks the values of a file that decoded: labels, ranges,
// patterns.
func (f *configFile) validate(root *yaml.Node, vocab *commitlabeler.Vocabulary) []Problem {
	var problems []Problem
	bad := func(line int, format string, args ...any) {
		problems = append(problems, Problem{Line: line, Message: fmt.Sprintf(format, args...)})
	}
	for _, name := range slices.Sorted(maps.Keys(f.Labels)) {
		line := keyLine(root, "labels", name)
		gh := strings.TrimSpace(f.Labels[name])
		switch {
		case !vocab.Has(name):
			bad(line, "labels: %s", unknownLabel(name, vocab))
		case gh == "" || len(gh) > gitHubLabelMax:
			bad(line, "labels: %s: GitHub label name %q must have 1 to %d characters", name, gh, gitHubLabelMax)
		}
	}
	// Every label needs its own GitHub name, mapped or default, to tell
	// maintainers' label changes apart.
	owner := map[string]string{}
	for _, l := range vocab.Labels {
		gh := cmp.Or(strings.TrimSpace(f.Labels[l.Name]), l.GitHubLabel)
		if prev, dup := owner[strings.ToLower(gh)]; dup {
			at := l.Name
			if _, mapped := f.Labels[at]; !mapped {
				at = prev
			}
			bad(keyLine(root, "labels", at), "labels: %s and %s both map to GitHub label %q", prev, l.Name, gh)
		}
		owner[strings.ToLower(gh)] = l.Name
	}
	for _, name := range slices.Sorted(maps.Keys(f.Thresholds)) {
		line := keyLine(root, "thresholds", name)
		if !vocab.Has(name) {
			bad(line, "thresholds: %s", unknownLabel(name, vocab))
		}
		if t := f.Thresholds[name]; t < 0 || t > 1 {
			bad(line, "thresholds: %s: %v is not between 0 and 1", name, t)
		}
	}
	if f.Threshold != nil && (*f.Threshold < 0 || *f.Threshold > 1) {
		bad(keyLine(root, "threshold"), "threshold: %v is not between 0 and 1", *f.Threshold)
	}
	if f.Precision != nil && (*f.Precision <= 0 || *f.Precision > 1) {
		bad(keyLine(root, "precision"), "precision: %v is not above 0 and at most 1", *f.Precision)
	}
	if f.Precision != nil && f.Threshold != nil {
		bad(keyLine(root, "precision"), "precision and threshold both set: the one threshold would override every label's threshold the precision gives; keep one")
	}
	if f.MaxLabels != nil && *f.MaxLabels < 1 {
		bad(keyLine(root, "max_labels"), "max_labels: %d is less than 1", *f.MaxLabels)
	}
	for _, g := range f.IgnoreAuthors {
		if strings.TrimSpace(g) == "" {
			bad(keyLine(root, "ignore_authors"), "ignore_authors: an empty pattern")
		}
	}
	return problems
}

// unknownLabel says that name is not a label of the vocabulary, and which
// it may mean, or else which there are.
func unknownLabel(name string, vocab *commitlabeler.Vocabulary) string {
	if suggestion := didYouMean(name, vocab.Names()); suggestion != "" {
		return fmt.Sprintf("%q is not a label of the vocabulary%s", name, suggestion)
	}
	return fmt.Sprintf("%q is not a label of the vocabulary (%s)", name, strings.Join(vocab.Names(), ", "))
}

// keyLine returns the line of the key at the path of mapping keys, or of
// the deepest key found.
func keyLine(root *yaml.Node, keys ...string) int {
	n, line := root, 0
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	for _, k := range keys {
		if n.Kind != yaml.MappingNode {
			return line
		}
		found := false
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == k {
				line, n, found = n.Content[i].Line, n.Content[i+1], true
				break
			}
		}
		if !found {
			return line
		}
	}
	return line
}

func (c *Config) setNames(mapping map[string]string) {
	c.names, c.byGitHub = map[string]string{}, map[string]string{}
	for _, l := range c.vocab.Labels {
		gh := cmp.Or(strings.TrimSpace(mapping[l.Name]), l.GitHubLabel)
		c.names[l.Name] = gh
		c.byGitHub[strings.ToLower(gh)] = l.Name
	}
}

// GitHubLabel returns the GitHub label name of a vocabulary label.
func (c Config) GitHubLabel(name string) string { return c.names[name] }

// VocabularyLabel returns the vocabulary label a GitHub label name stands
// for in this repository; ok is false for other labels.
func (c Config) VocabularyLabel(gitHubName string) (name string, ok bool) {
	name, ok = c.byGitHub[strings.ToLower(gitHubName)]
	return name, ok
}

// IgnoresAuthor reports whether a login matches an ignore_authors pattern.
func (c Config) IgnoresAuthor(login string) bool {
	return slices.ContainsFunc(c.ignore, func(re *regexp.Regexp) bool { return re.MatchString(login) })
}

// loginPattern compiles an ignore_authors pattern.
func loginPattern(glob string) *regexp.Regexp {
	q := regexp.QuoteMeta(strings.TrimSpace(glob))
	q = strings.ReplaceAll(strings.ReplaceAll(q, `\*`, ".*"), `\?`, ".")
	return regexp.MustCompile("(?i)^" + q + "$")
}

// Select returns the labels of a prediction to apply, most probable first,
// at most MaxLabels: a title decision as is; a model label when its
// probability reaches its configured threshold, or, with none configured,
// when the model chose it.
func (c Config) Select(p classify.Prediction) []classify.LabelScore {
	candidates := p.Labels
	if p.Source != classify.SourceTitle && len(p.Scores) > 0 {
		candidates = p.Scores
	}
	chosen := p.Labels
	if c.Point != nil && p.Source == classify.SourceModel {
		// The model's decision under the thresholds of the asked precision.
		chosen = classify.ApplyThresholdsToScores(p.Scores, c.Point.Thresholds)
	}
	var out []classify.LabelScore
	for _, s := range candidates {
		if len(out) == c.MaxLabels {
			break
		}
		if p.Source == classify.SourceTitle || c.accepts(chosen, s) {
			out = append(out, s)
		}
	}
	return out
}

// accepts reports whether a label is applied: by the repository's
// thresholds where it sets them, else when the model chose it.
func (c Config) accepts(chosen []classify.LabelScore, s classify.LabelScore) bool {
	if t, ok := c.LabelThreshold(s.Label); ok {
		return s.Probability >= t
	}
	return slices.ContainsFunc(chosen, func(l classify.LabelScore) bool { return l.Label == s.Label })
}

// LabelThreshold is the threshold the repository sets for a model label:
// its thresholds: entry, else its threshold:. ok is false when it sets
// neither, and the model's thresholds (those of its precision: when it
// asks for one) decide.
func (c Config) LabelThreshold(label string) (t float64, ok bool) {
	if t, ok := c.Thresholds[label]; ok {
		return t, true
	}
	if c.Threshold > 0 {
		return c.Threshold, true
	}
	return 0, false
}

// PrecisionCurve is implemented by classifiers whose model carries an
// operating curve (classify.Classifier), against which a repository's
// precision resolves to thresholds.
type PrecisionCurve interface {
	// PointFor returns the operating point for a precision; ok is false
	// when the model has no curve.
	PointFor(precision float64) (classify.OperatingPoint, bool)
}

// WithModel resolves Precision against the served model's operating curve;
// a model without one keeps its own thresholds.
func (c Config) WithModel(model any) Config {
	c.Point = nil
	if curve, ok := model.(PrecisionCurve); ok && c.Precision > 0 {
		if p, ok := curve.PointFor(c.Precision); ok {
			c.Point = &p
		}
	}
	return c
}

func deref[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}
