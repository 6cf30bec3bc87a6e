package classify

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"

	"github.com/commit-labeler/commit-labeler/onnxgraph"
)

// trainTfidf fits class-weighted multinomial logistic regression to
// convergence (L-BFGS) over TF-IDF vectors, with C chosen by
// repository-grouped cross-validation when the configuration gives a grid.
func trainTfidf(ctx context.Context, in TrainInput, dir string) error {
	cfg := DefaultTfidfConfig()
	if in.Options.Tfidf != nil {
		cfg = *in.Options.Tfidf
	}
	if in.Options.DiffWords > 0 {
		cfg.Tokens.DiffWords = in.Options.DiffWords
	}
	train := hashExamples(ctx, in.Train, in.Labels, cfg)
	if len(train) == 0 {
		return fmt.Errorf("no training example has a first label among %v", in.Labels)
	}
	if len(in.Options.CGrid) > 0 {
		cfg.CGrid = in.Options.CGrid
	}
	if len(cfg.CGrid) > 0 {
		var err error
		if cfg.C, cfg.CrossValidation, err = chooseC(ctx, train, in.Labels, cfg, in.Options.Seed); err != nil {
			return err
		}
	}
	fit, err := fitTfidf(ctx, train, len(in.Labels), cfg, in.start)
	if err != nil {
		return err
	}
	return fit.write(dir, cfg, &Meta{Labels: in.Labels})
}

// write writes the fitted graph into dir and meta, completed with the
// kind and cfg (recording how the fit ended), as its model.json.
func (f tfidfFit) write(dir string, cfg TfidfConfig, meta *Meta) error {
	cfg.Iterations, cfg.Converged = f.result.Iterations, f.result.Converged
	g, err := onnxgraph.TfidfSparseLinear(f.idf,
		onnxgraph.Matrix{Rows: cfg.Dims, Cols: len(meta.Labels), Data: f.weights}, f.bias, onnxgraph.Softmax)
	if err != nil {
		return err
	}
	if err := g.WriteFile(dir); err != nil {
		return err
	}
	raw, err := json.Marshal(cfg)
	if err != nil {
		return err
	}
	meta.Kind, meta.FeaturesVersion, meta.Config = KindTfidfLogreg, FeaturesVersion, raw
	return WriteMeta(dir, meta)
}

// tfidfFit is a fitted tfidf_logreg: what the graph holds.
type tfidfFit struct {
	idf, weights, bias []float32
	result             lbfgsResult
}

// fitTfidf computes the IDF of raw hashed vectors, weighs and normalises
// copies of them and fits the regression at cfg.C, from start when given.
func fitTfidf(ctx context.Context, raw []labeledVector, k int, cfg TfidfConfig, start *warmStart) (tfidfFit, error) {
	fit := tfidfFit{idf: inverseDocumentFrequencies(raw, cfg.Dims)}
	dropRepositorySpecific(fit.idf, raw, cfg.MinRepos)
	train, active := compactRows(raw, fit.idf)
	obj := newSoftmaxRegression(train, k, len(active), cfg.C, cfg.ClassWeightPower)
	obj.start = start.point(active, k)
	w, b, res, err := obj.fit(ctx, lbfgsOptions{Memory: 8, MaxIterations: cfg.MaxIterations, Tolerance: cfg.Tolerance})
	if err != nil {
		return fit, err
	}
	fit.weights, fit.bias, fit.result = make([]float32, cfg.Dims*k), b, res
	scatterRows(fit.weights, w, active, k)
	return fit, nil
}

// compactRows weighs and normalises copies of raw hashed vectors by idf
// and renumbers the indices whose IDF is not zero densely, in order of
// first use: active maps each new index back to its hashed one. An index
// no vector uses has no data term, so its weights stay where the fit
// starts them; fitting over the active rows alone spares the optimiser
// every such row (a quarter of the global model's, nearly all of a
// repository model's).
func compactRows(raw []labeledVector, idf []float32) (train []labeledVector, active []int64) {
	row := make([]int32, len(idf))
	for i := range row {
		row[i] = -1
	}
	train = make([]labeledVector, len(raw))
	for t, v := range raw {
		values := slices.Clone(v.Values)
		normaliseTfidf(&SparseVector{Indices: v.Indices, Values: values}, idf)
		w := SparseVector{Indices: make([]int64, 0, len(v.Indices)), Values: values[:0]}
		for j, i := range v.Indices {
			if idf[i] == 0 {
				continue
			}
			if row[i] < 0 {
				row[i] = int32(len(active))
				active = append(active, i)
			}
			// j never trails the write position: compacting in place.
			w.Indices = append(w.Indices, int64(row[i]))
			w.Values = append(w.Values, values[j])
		}
		train[t] = labeledVector{SparseVector: w, label: v.label, repo: v.repo, weight: v.weight}
	}
	return train, active
}

// scatterRows copies the k-wide rows of compact weights (compactRows'
// numbering) to their hashed rows in weights.
func scatterRows(weights, compact []float32, active []int64, k int) {
	for r, i := range active {
		copy(weights[int(i)*k:int(i)*k+k], compact[r*k:r*k+k])
	}
}

// probabilities scores a raw hashed vector as the graph does.
func (f tfidfFit) probabilities(raw SparseVector, k int) []float32 {
	v := SparseVector{Indices: raw.Indices, Values: slices.Clone(raw.Values)}
	normaliseTfidf(&v, f.idf)
	z := make([]float64, k)
	for c := range z {
		z[c] = float64(f.bias[c])
	}
	for j, i := range v.Indices {
		row := f.weights[int(i)*k : int(i)*k+k]
		for c, w := range row {
			z[c] += float64(w) * float64(v.Values[j])
		}
	}
	lse := logSumExp(z)
	p := make([]float32, k)
	for c := range p {
		p[c] = float32(math.Exp(z[c] - lse))
	}
	return p
}

// CVScore is one regularisation strength's repository-grouped
// cross-validated score.
type CVScore struct {
	C       float64 `json:"c"`
	MacroF1 float64 `json:"macro_f1"`
}

// tfidfCVFolds is how many repository folds choose C.
const tfidfCVFolds = 4

// chooseC returns the C of cfg.CGrid whose out-of-fold predictions over
// tfidfCVFolds folds of whole repositories score the best macro-F1: the
// strength that generalises to repositories not trained on, which is what
// a model for unseen repositories needs.
func chooseC(ctx context.Context, raw []labeledVector, labels []string, cfg TfidfConfig, seed int64) (float64, []CVScore, error) {
	scores := make([]CVScore, len(cfg.CGrid))
	best := 0
	for gi, c := range cfg.CGrid {
		cfg.C = c
		outcomes := make([]Scored, 0, len(raw))
		for f := range tfidfCVFolds {
			var train, held []labeledVector
			for _, v := range raw {
				if repoFold(v.repo, seed, tfidfCVFolds) == f {
					held = append(held, v)
				} else {
					train = append(train, v)
				}
			}
			if len(train) == 0 || len(held) == 0 {
				continue
			}
			fit, err := fitTfidf(ctx, train, len(labels), cfg, nil)
			if err != nil {
				return 0, nil, fmt.Errorf("cross-validating C=%v, fold %d: %w", c, f+1, err)
			}
			for _, v := range held {
				outcomes = append(outcomes, Scored{Truth: []string{labels[v.label]}, Probabilities: fit.probabilities(v.SparseVector, len(labels))})
			}
		}
		scores[gi] = CVScore{C: c, MacroF1: Evaluate(labels, outcomes).MacroF1}
		if scores[gi].MacroF1 > scores[best].MacroF1 {
			best = gi
		}
	}
	return scores[best].C, scores, nil
}

// inverseDocumentFrequencies is the smoothed IDF ln((1+n)/(1+df)) + 1 of
// each index over the training vectors.
func inverseDocumentFrequencies(train []labeledVector, dims int) []float32 {
	df := make([]int, dims)
	for _, v := range train {
		for _, i := range v.Indices {
			df[i]++
		}
	}
	idf := make([]float32, dims)
	n := float64(len(train))
	for i, d := range df {
		idf[i] = float32(math.Log((1+n)/(1+float64(d))) + 1)
	}
	return idf
}

// dropRepositorySpecific zeroes the IDF of indices seen in fewer than
// minRepos training repositories, so that the names of one repository
// (directories, identifiers, jargon) neither train nor serve: a model meant
// for unseen repositories learns from what repositories share. Training
// data from fewer than 2×minRepos repositories is left alone.
func dropRepositorySpecific(idf []float32, train []labeledVector, minRepos int) {
	if minRepos <= 1 {
		return
	}
	seen := make(map[string][]bool)
	repos := make([]uint8, len(idf))
	for _, v := range train {
		s, ok := seen[v.repo]
		if !ok {
			s = make([]bool, len(idf))
			seen[v.repo] = s
		}
		for _, i := range v.Indices {
			if !s[i] {
				s[i] = true
				repos[i] = min(repos[i]+1, 255)
			}
		}
	}
	if len(seen) < 2*minRepos {
		return
	}
	for i, n := range repos {
		if int(n) < minRepos {
			idf[i] = 0
		}
	}
}

// normaliseTfidf weighs v by idf and scales it to unit length, as the
// graph does at serving time.
func normaliseTfidf(v *SparseVector, idf []float32) {
	norm := 0.0
	for j, i := range v.Indices {
		v.Values[j] *= idf[i]
		norm += float64(v.Values[j]) * float64(v.Values[j])
	}
	if norm == 0 {
		return
	}
	inv := float32(1 / sqrt(norm))
	for j := range v.Values {
		v.Values[j] *= inv
	}
}

func sqrt(x float64) float64 { return math.Sqrt(x) }
