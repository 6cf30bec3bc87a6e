package pipeline

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	commitlabeler "github.com/commit-labeler/commit-labeler"
	"github.com/commit-labeler/commit-labeler/store"
)

// Files the summary phase writes into Options.ModelsOut.
const (
	SummaryJSON     = "summary.json"
	SummaryMarkdown = "summary.md"
	SummaryHTML     = "summary.html"
)

// Counts of the summary phase.
const (
	CountSummaryCommits = "commits"
	CountSummaryLabeled = "labeled"
	CountSummaryModels  = "models"
)

// Summary is the data model of the summary phase: summary.json as written,
// and what summary.md and summary.html show.
type Summary struct {
	GeneratedAt time.Time `json:"generated_at"`
	// Database is the store's path and ModelsDir the directory of the models.
	Database  string             `json:"database"`
	ModelsDir string             `json:"models_dir"`
	Corpus    store.CorpusCounts `json:"corpus"`
	// Labeled counts the commits that carry effective labels.
	Labeled int64 `json:"labeled"`
	// Runs are the recorded phases with their last run, the summary's own
	// run in progress left out.
	Runs []store.PhaseRuns `json:"runs"`
	// Labels are the effective labels that occur, in vocabulary order.
	Labels      []string     `json:"labels"`
	LabelTotals []LabelTotal `json:"label_totals"`
	// ByRepository and ByYear count the commits per primary effective label
	// (the first one) in each repository and each UTC year.
	ByRepository []LabelGroup `json:"by_repository"`
	ByYear       []LabelGroup `json:"by_year"`
	// Agreement compares the conventional and ollama labelers; nil when no
	// commit was labeled by both.
	Agreement *Agreement `json:"agreement,omitempty"`
	// Confidence holds the labelers' confidence histograms, by source.
	Confidence []ConfidenceHistogram `json:"confidence"`
	// Models are the trained models found in ModelsDir, by directory name.
	Models []ModelSummary `json:"models"`
}

// LabelTotal counts the commits whose effective labels include a label
// (Any) and those for which it is the primary one (Primary).
type LabelTotal struct {
	Label   string `json:"label"`
	Primary int64  `json:"primary"`
	Any     int64  `json:"any"`
}

// LabelGroup counts primary labels in one repository or year.
type LabelGroup struct {
	Name   string           `json:"name"`
	Total  int64            `json:"total"`
	Counts map[string]int64 `json:"counts"`
}

// Agreement is the confusion of two labelers' primary labels on the commits
// both labeled: Matrix[i][j] commits got Labels[i] from SourceA and
// Labels[j] from SourceB.
type Agreement struct {
	SourceA string    `json:"source_a"`
	SourceB string    `json:"source_b"`
	Commits int64     `json:"commits"`
	Agreed  int64     `json:"agreed"`
	Rate    float64   `json:"rate"`
	Kappa   float64   `json:"kappa"`
	Labels  []string  `json:"labels"`
	Matrix  [][]int64 `json:"matrix"`
}

// ConfidenceHistogram counts one source's label confidences in
// store.ConfidenceBins equal bins over [0, 1].
type ConfidenceHistogram struct {
	Source string  `json:"source"`
	Total  int64   `json:"total"`
	Bins   []int64 `json:"bins"`
}

// Summarize writes summary.json, summary.md and summary.html into
// Options.ModelsOut from the store and the models found there (each
// ModelsOut/<name>/model.json).
func Summarize(ctx context.Context, env *Env) (Counts, error) {
	dir := env.Options.ModelsOut
	if dir == "" {
		return nil, errors.New("summary: no models directory (--out)")
	}
	s, err := BuildSummary(ctx, env.DB, dir)
	if err != nil {
		return nil, err
	}
	if err := writeSummary(dir, s); err != nil {
		return nil, err
	}
	return Counts{
		CountSummaryCommits: s.Corpus.Commits,
		CountSummaryLabeled: s.Labeled,
		CountSummaryModels:  int64(len(s.Models)),
	}, nil
}

// BuildSummary collects the summary of the store and of the models in dir.
func BuildSummary(ctx context.Context, db *store.DB, dir string) (*Summary, error) {
	s := &Summary{GeneratedAt: time.Now().UTC().Truncate(time.Second), Database: db.Path(), ModelsDir: dir}
	var err error
	if s.Corpus, err = db.CorpusCounts(ctx); err != nil {
		return nil, fmt.Errorf("summary: %w", err)
	}
	runs, err := db.LastRuns(ctx)
	if err != nil {
		return nil, fmt.Errorf("summary: %w", err)
	}
	for _, r := range runs {
		if r.Phase == PhaseSummary && r.Last.Status == store.RunRunning {
			continue // this very run
		}
		s.Runs = append(s.Runs, r)
	}
	if err := s.addLabelDistribution(ctx, db); err != nil {
		return nil, fmt.Errorf("summary: %w", err)
	}
	if s.Agreement, err = agreement(ctx, db, store.SourceConventional, store.SourceOllama); err != nil {
		return nil, fmt.Errorf("summary: %w", err)
	}
	hist, err := db.ConfidenceHistograms(ctx)
	if err != nil {
		return nil, fmt.Errorf("summary: %w", err)
	}
	for _, src := range store.SourcePrecedence {
		if bins, ok := hist[src]; ok {
			s.Confidence = append(s.Confidence, ConfidenceHistogram{Source: src, Total: sum(bins), Bins: bins})
		}
	}
	if s.Models, err = readModels(dir); err != nil {
		return nil, fmt.Errorf("summary: %w", err)
	}
	return s, nil
}

// addLabelDistribution counts the effective labels in total, per repository
// and per year.
func (s *Summary) addLabelDistribution(ctx context.Context, db *store.DB) error {
	effective, err := db.EffectiveLabels(ctx)
	if err != nil {
		return err
	}
	groups, err := db.CommitGroups(ctx)
	if err != nil {
		return err
	}
	primary, withLabel := map[string]int64{}, map[string]int64{}
	byRepo, byYear := map[string]*LabelGroup{}, map[string]*LabelGroup{}
	count := func(m map[string]*LabelGroup, name, label string) {
		g := m[name]
		if g == nil {
			g = &LabelGroup{Name: name, Counts: map[string]int64{}}
			m[name] = g
		}
		g.Total++
		g.Counts[label]++
	}
	for _, e := range effective {
		if len(e.Labels) == 0 {
			continue
		}
		s.Labeled++
		first := e.Labels[0].Label
		primary[first]++
		for _, l := range e.Labels {
			withLabel[l.Label]++
		}
		g := groups[e.CommitID]
		count(byRepo, g.Repo, first)
		count(byYear, strconv.Itoa(g.Year), first)
	}
	s.Labels = vocabularyOrder(slices.Collect(maps.Keys(withLabel)))
	for _, l := range s.Labels {
		s.LabelTotals = append(s.LabelTotals, LabelTotal{Label: l, Primary: primary[l], Any: withLabel[l]})
	}
	s.ByRepository, s.ByYear = sortedGroups(byRepo), sortedGroups(byYear)
	return nil
}

// sortedGroups returns the groups in name order.
func sortedGroups(m map[string]*LabelGroup) []LabelGroup {
	out := make([]LabelGroup, 0, len(m))
	for _, name := range slices.Sorted(maps.Keys(m)) {
		out = append(out, *m[name])
	}
	return out
}

// vocabularyOrder sorts labels in the vocabulary's order, labels outside it
// last in name order.
func vocabularyOrder(labels []string) []string {
	vocab := commitlabeler.Default()
	rank := func(l string) int {
		if i := vocab.Index(l); i >= 0 {
			return i
		}
		return len(vocab.Labels)
	}
	slices.SortFunc(labels, func(a, b string) int {
		if ra, rb := rank(a), rank(b); ra != rb {
			return ra - rb
		}
		return cmp.Compare(a, b)
	})
	return labels
}

// agreement builds the confusion of two sources' primary labels with the
// share of agreement and Cohen's kappa; nil when no commit has both.
func agreement(ctx context.Context, db *store.DB, a, b string) (*Agreement, error) {
	pairs, err := db.PrimaryLabelPairs(ctx, a, b)
	if err != nil || len(pairs) == 0 {
		return nil, err
	}
	seen := map[string]bool{}
	for _, p := range pairs {
		seen[p.A], seen[p.B] = true, true
	}
	ag := &Agreement{SourceA: a, SourceB: b, Labels: vocabularyOrder(slices.Collect(maps.Keys(seen)))}
	index := make(map[string]int, len(ag.Labels))
	ag.Matrix = make([][]int64, len(ag.Labels))
	for i, l := range ag.Labels {
		index[l] = i
		ag.Matrix[i] = make([]int64, len(ag.Labels))
	}
	rowSum, colSum := make([]int64, len(ag.Labels)), make([]int64, len(ag.Labels))
	for _, p := range pairs {
		i, j := index[p.A], index[p.B]
		ag.Matrix[i][j] += p.N
		rowSum[i] += p.N
		colSum[j] += p.N
		ag.Commits += p.N
		if i == j {
			ag.Agreed += p.N
		}
	}
	n := float64(ag.Commits)
	ag.Rate = float64(ag.Agreed) / n
	var chance float64
	for i := range ag.Labels {
		chance += float64(rowSum[i]) * float64(colSum[i]) / (n * n)
	}
	if chance < 1 {
		ag.Kappa = (ag.Rate - chance) / (1 - chance)
	}
	return ag, nil
}

func sum(xs []int64) int64 {
	var t int64
	for _, x := range xs {
		t += x
	}
	return t
}

// writeSummary writes the three files into dir, each atomically.
func writeSummary(dir string, s *Summary) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("summary: %w", err)
	}
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("summary: %w", err)
	}
	r := newReport(s)
	var md, page bytes.Buffer
	if err := r.writeMarkdown(&md); err != nil {
		return fmt.Errorf("summary: %s: %w", SummaryMarkdown, err)
	}
	if err := r.writeHTML(&page); err != nil {
		return fmt.Errorf("summary: %s: %w", SummaryHTML, err)
	}
	for name, content := range map[string][]byte{SummaryJSON: append(data, '\n'), SummaryMarkdown: md.Bytes(), SummaryHTML: page.Bytes()} {
		if err := writeFileAtomic(filepath.Join(dir, name), content); err != nil {
			return fmt.Errorf("summary: %w", err)
		}
	}
	return nil
}

// writeFileAtomic writes data to a temporary file beside path and renames it
// into place, so a reader never sees half a report.
func writeFileAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
