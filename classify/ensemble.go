package classify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sync"

	"github.com/commit-labeler/commit-labeler/onnxgraph"
)

// KindEnsemble combines trained models of other kinds.
const KindEnsemble = "ensemble"

// Votes of an ensemble.
const (
	// VoteMajority: each member votes for its top label; equal votes are
	// ordered by the mean probability.
	VoteMajority = "majority"
	// VoteSoft: the mean of the members' probabilities.
	VoteSoft = "soft"
	// VoteWeighted: a weighted mean, the weights fitted on the validation
	// examples to maximise balanced macro-F1. The default.
	VoteWeighted = "weighted"
)

// EnsembleMembersDir is the subdirectory of an ensemble holding copies of its members.
const EnsembleMembersDir = "members"

// EnsembleConfig is the Config of an ensemble's model.json.
type EnsembleConfig struct {
	// Vote is VoteMajority, VoteSoft or VoteWeighted.
	Vote string `json:"vote"`
	// Members are the member model directories, relative to the ensemble's.
	Members []string `json:"members"`
	// Weights are the members' weights (summing to 1), as in model.onnx.
	Weights []float64 `json:"weights"`
}

func init() {
	Register(Kind{Name: KindEnsemble, Train: trainEnsemble, Load: loadEnsemble, Fixed: true})
}

// trainEnsemble copies the trained models of in.Options.Members into
// dir/members/<name>, fits the weights and writes the combining graph.
func trainEnsemble(ctx context.Context, in TrainInput, dir string) error {
	cfg := EnsembleConfig{Vote: in.Options.Vote}
	if cfg.Vote == "" {
		cfg.Vote = VoteWeighted
	}
	if cfg.Vote != VoteMajority && cfg.Vote != VoteSoft && cfg.Vote != VoteWeighted {
		return fmt.Errorf("vote %q: want %s, %s or %s", cfg.Vote, VoteMajority, VoteSoft, VoteWeighted)
	}
	if len(in.Options.Members) == 0 {
		return errors.New("no member models (TrainOptions.Members)")
	}
	var err error
	if cfg.Members, err = copyMembers(in.Options.Members, dir); err != nil {
		return err
	}
	members, err := loadMembers(dir, cfg.Members, in.Labels)
	if err != nil {
		return err
	}
	defer members.close()
	version := members[0].model.Meta().FeaturesVersion
	for _, m := range members {
		if v := m.model.Meta().FeaturesVersion; v != version {
			return fmt.Errorf("members %s and %s were trained on features versions %d and %d", cfg.Members[0], m.dir, version, v)
		}
	}
	cfg.Weights = uniform(len(members))
	if cfg.Vote == VoteWeighted && len(in.Valid) > 0 {
		stacked, err := members.probabilities(ctx, featuresOf(in.Valid))
		if err != nil {
			return fmt.Errorf("validate members: %w", err)
		}
		cfg.Weights = fitWeights(stacked, truthColumns(in.Labels, in.Valid), len(in.Labels))
	}
	g, err := combiner(cfg, len(in.Labels))
	if err != nil {
		return err
	}
	if err := g.WriteFile(dir); err != nil {
		return err
	}
	data, err := json.Marshal(cfg)
	if err != nil {
		return err
	}
	return WriteMeta(dir, &Meta{Kind: KindEnsemble, Labels: in.Labels, FeaturesVersion: version, Config: data})
}

// copyMembers replaces dir/members with copies of the member directories,
// each named for its directory (a repeated name gets a numeric suffix), and
// returns their paths relative to dir.
func copyMembers(srcs []string, dir string) ([]string, error) {
	root := filepath.Join(dir, EnsembleMembersDir)
	if err := os.RemoveAll(root); err != nil {
		return nil, err
	}
	used := map[string]bool{}
	rel := make([]string, len(srcs))
	for i, src := range srcs {
		name := filepath.Base(filepath.Clean(src))
		for n := 2; used[name]; n++ {
			name = fmt.Sprintf("%s-%d", filepath.Base(filepath.Clean(src)), n)
		}
		used[name] = true
		if _, err := ReadMeta(src); err != nil {
			return nil, fmt.Errorf("member %s: %w", src, err)
		}
		if err := os.CopyFS(filepath.Join(root, name), os.DirFS(src)); err != nil {
			return nil, fmt.Errorf("copy member %s: %w", src, err)
		}
		rel[i] = filepath.ToSlash(filepath.Join(EnsembleMembersDir, name))
	}
	return rel, nil
}

func uniform(n int) []float64 {
	w := make([]float64, n)
	for i := range w {
		w[i] = 1 / float64(n)
	}
	return w
}

func combiner(cfg EnsembleConfig, labels int) (*onnxgraph.Graph, error) {
	w := make([]float32, len(cfg.Weights))
	for i, x := range cfg.Weights {
		w[i] = float32(x)
	}
	return onnxgraph.EnsembleCombiner(w, labels, cfg.Vote == VoteMajority)
}

// member is a loaded member model with its columns aligned to the ensemble's labels.
type member struct {
	dir   string
	model Model
	// columns[i] is the member's column of the ensemble's label i, or -1
	// when the member lacks that label.
	columns []int
}

type members []member

// loadMembers loads the members uncalibrated: the ensemble's own
// calibration, fitted on their weighted mean, is the one that counts. A
// member's top calibration would first pull down the rare labels it ranks
// first (class-balanced training inflates them), and their mean would
// then lean to the frequent labels: on the validation repositories the
// calibrated members' mean scored balanced macro-F1 0.502, the
// uncalibrated ones' 0.535 at the same weights (docs/models.md).
func loadMembers(dir string, rel []string, labels []string) (members, error) {
	var ms members
	for _, r := range rel {
		m, err := loadUncalibrated(filepath.Join(dir, filepath.FromSlash(r)))
		if err != nil {
			ms.close()
			return nil, err
		}
		ms = append(ms, member{dir: r, model: m, columns: alignColumns(labels, m.Meta().Labels)})
	}
	return ms, nil
}

func (ms members) close() error {
	var errs []error
	for _, m := range ms {
		errs = append(errs, m.model.Close())
	}
	return errors.Join(errs...)
}

func alignColumns(labels, memberLabels []string) []int {
	index := make(map[string]int, len(memberLabels))
	for i, l := range memberLabels {
		index[l] = i
	}
	cols := make([]int, len(labels))
	for i, l := range labels {
		c, ok := index[l]
		if !ok {
			c = -1
		}
		cols[i] = c
	}
	return cols
}

// align maps a member's probability row onto the ensemble's labels. A label
// the member lacks gets 0; the mass the member gives labels the ensemble
// lacks is spread over the shared labels in proportion (the row is
// renormalised), so every member's row is a distribution over the
// ensemble's labels. A row with no mass on shared labels stays all 0: that
// member abstains for the commit.
func (m member) align(row []float32, dst []float32) {
	var sum float32
	for i, c := range m.columns {
		dst[i] = 0
		if c >= 0 {
			dst[i] = row[c]
			sum += row[c]
		}
	}
	if sum > 0 {
		for i := range dst {
			dst[i] /= sum
		}
	}
}

// probabilities runs every member (concurrently) and returns their aligned
// probabilities stacked as [M][N·L].
func (ms members) probabilities(ctx context.Context, feats []*Features) ([][]float32, error) {
	nl := len(ms[0].columns)
	stacked := make([][]float32, len(ms))
	errs := make([]error, len(ms))
	var wg sync.WaitGroup
	for k, m := range ms {
		wg.Go(func() {
			rows, err := m.model.Probabilities(ctx, feats)
			if err == nil && len(rows) != len(feats) {
				err = fmt.Errorf("returned %d rows for %d commits", len(rows), len(feats))
			}
			if err != nil {
				errs[k] = fmt.Errorf("member %s: %w", m.dir, err)
				return
			}
			stacked[k] = make([]float32, len(feats)*nl)
			for n, row := range rows {
				m.align(row, stacked[k][n*nl:(n+1)*nl])
			}
		})
	}
	wg.Wait()
	return stacked, errors.Join(errs...)
}

// ensemble is a loaded ensemble directory.
type ensemble struct {
	meta      *Meta
	cfg       EnsembleConfig
	members   members
	session   *Session
	explainer Explainer
}

func loadEnsemble(dir string, meta *Meta) (Model, error) {
	var cfg EnsembleConfig
	if err := json.Unmarshal(meta.Config, &cfg); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	if len(cfg.Members) == 0 || len(cfg.Weights) != len(cfg.Members) {
		return nil, fmt.Errorf("config: %d members with %d weights", len(cfg.Members), len(cfg.Weights))
	}
	ms, err := loadMembers(dir, cfg.Members, meta.Labels)
	if err != nil {
		return nil, err
	}
	if err := InitRuntime(); err != nil {
		ms.close()
		return nil, err
	}
	s, err := OpenSession(dir)
	if err != nil {
		ms.close()
		return nil, err
	}
	e := &ensemble{meta: meta, cfg: cfg, members: ms, session: s}
	for _, m := range ms {
		if x, ok := m.model.(Explainer); ok {
			e.explainer = x
			break
		}
	}
	return e, nil
}

func (e *ensemble) Meta() *Meta { return e.meta }

// Probabilities runs the members and combines their aligned probabilities
// in model.onnx.
func (e *ensemble) Probabilities(ctx context.Context, feats []*Features) ([][]float32, error) {
	if len(feats) == 0 {
		return nil, nil
	}
	stacked, err := e.members.probabilities(ctx, feats)
	if err != nil {
		return nil, err
	}
	nl := len(e.meta.Labels)
	data := make([]float32, 0, len(stacked)*len(feats)*nl)
	for _, s := range stacked {
		data = append(data, s...)
	}
	out, err := e.session.Run(ctx, Float32Input(onnxgraph.InputMemberProbabilities,
		[]int64{int64(len(stacked)), int64(len(feats)), int64(nl)}, data))
	if err != nil {
		return nil, err
	}
	return out[onnxgraph.OutputProbabilities].Rows(), nil
}

// Explain delegates to the first member that explains its decisions; it
// names nothing when none does.
func (e *ensemble) Explain(f *Features, label string, n int) []Reason {
	if e.explainer == nil {
		return nil
	}
	return e.explainer.Explain(f, label, n)
}

// Close releases the combining session and every member.
func (e *ensemble) Close() error {
	return errors.Join(e.session.Close(), e.members.close())
}

// truthColumns returns each example's first label's column, or -1.
func truthColumns(labels []string, examples []Example) []int {
	index := make(map[string]int, len(labels))
	for i, l := range labels {
		index[l] = i
	}
	out := make([]int, len(examples))
	for i, e := range examples {
		c, ok := index[e.Labels[0]]
		if !ok {
			c = -1
		}
		out[i] = c
	}
	return out
}

// Weight search: coordinate steps on the simplex, largest first.
var weightSteps = []float64{0.2, 0.1, 0.05, 0.02}

// fitWeights returns member weights (summing to 1) that maximise the
// balanced macro-F1 of the weighted mean's top label on the validation
// examples, lower log-loss breaking ties. Balanced: each example counts
// 1/(its label's support), as if every label had as many examples, which
// is how the hold-out is judged (train eval's balanced sample); a plain
// macro-F1 rewards weights that trade rare labels' recall for the
// frequent labels' precision. It starts from equal weights and moves
// weight toward or away from one member at a time while that improves the
// score, from large steps to small; members are tried in order, so the
// result is deterministic.
func fitWeights(stacked [][]float32, truth []int, nl int) []float64 {
	w := uniform(len(stacked))
	best := scoreWeights(stacked, truth, nl, w)
	for _, step := range weightSteps {
		for improved := true; improved; {
			improved = false
			for m := range w {
				for _, delta := range []float64{step, -step} {
					cand := shiftWeight(w, m, delta)
					if cand == nil {
						continue
					}
					if s := scoreWeights(stacked, truth, nl, cand); s.better(best) {
						w, best, improved = cand, s, true
					}
				}
			}
		}
	}
	return w
}

// shiftWeight sets member m's weight to w[m]+delta and scales the others to
// keep the sum at 1; nil when that leaves the simplex.
func shiftWeight(w []float64, m int, delta float64) []float64 {
	target := w[m] + delta
	rest := 1 - w[m]
	if target < 0 || target > 1 || (rest <= 0 && len(w) > 1) {
		return nil
	}
	out := make([]float64, len(w))
	for i, x := range w {
		if i == m {
			out[i] = target
		} else {
			out[i] = x / rest * (1 - target)
		}
	}
	return out
}

type weightScore struct{ macroF1, logLoss float64 }

func (s weightScore) better(o weightScore) bool {
	const eps = 1e-9
	return s.macroF1 > o.macroF1+eps || (math.Abs(s.macroF1-o.macroF1) <= eps && s.logLoss < o.logLoss-eps)
}

// scoreWeights scores the weighted mean of the members' rows, each example
// weighted by the inverse of its label's support.
func scoreWeights(stacked [][]float32, truth []int, nl int, w []float64) weightScore {
	support := make([]int, nl)
	for _, t := range truth {
		if t >= 0 {
			support[t]++
		}
	}
	predicted, hits := make([]float64, nl), make([]float64, nl)
	row := make([]float64, nl)
	var s weightScore
	for n, t := range truth {
		if t < 0 {
			continue
		}
		clear(row)
		for m, st := range stacked {
			for l := range nl {
				row[l] += w[m] * float64(st[n*nl+l])
			}
		}
		top := 0
		for l := range row {
			if row[l] > row[top] {
				top = l
			}
		}
		weight := 1 / float64(support[t])
		predicted[top] += weight
		if top == t {
			hits[t] += weight
		}
		s.logLoss -= weight * math.Log(math.Max(row[t], 1e-7))
	}
	present := 0
	for l := range nl {
		if support[l] == 0 {
			continue
		}
		present++
		recall := hits[l] // the label's examples weigh 1 together
		precision := 0.0
		if predicted[l] > 0 {
			precision = hits[l] / predicted[l]
		}
		s.macroF1 += harmonic(precision, recall)
	}
	if present > 0 {
		s.macroF1 /= float64(present)
	}
	return s
}
