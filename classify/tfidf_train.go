package classify

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/commit-labeler/commit-labeler/onnxgraph"
)

// labeledVector is one training example as a normalised TF-IDF vector.
type labeledVector struct {
	SparseVector
	label int
	repo  string
}

// trainTfidf fits multinomial logistic regression with Adagrad over
// TF-IDF vectors, keeping the epoch count that scores best on validation.
func trainTfidf(ctx context.Context, in TrainInput, dir string) error {
	cfg := DefaultTfidfConfig()
	if in.Options.Tfidf != nil {
		cfg = *in.Options.Tfidf
	}
	train := hashExamples(in.Train, in.Labels, cfg)
	valid := hashExamples(in.Valid, in.Labels, cfg)
	if len(train) == 0 {
		return fmt.Errorf("no training example has a first label among %v", in.Labels)
	}
	idf := inverseDocumentFrequencies(train, cfg.Dims)
	dropRepositorySpecific(idf, train, cfg.MinRepos)
	for _, set := range [][]labeledVector{train, valid} {
		for i := range set {
			normaliseTfidf(&set[i].SparseVector, idf)
		}
	}
	lr := newLogreg(cfg, len(in.Labels), train)
	best, bestScore := lr.snapshot(), math.Inf(-1)
	rng := rand.New(rand.NewPCG(uint64(in.Options.Seed), 0x7466696466))
	order := make([]int, len(train))
	for i := range order {
		order[i] = i
	}
	for epoch := 1; epoch <= cfg.Epochs; epoch++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, i := range order {
			lr.step(&train[i])
		}
		score := float64(epoch) // without validation data the last epoch is kept
		if len(valid) > 0 {
			score = lr.macroF1(valid)
		}
		if score > bestScore {
			best, bestScore, cfg.EpochsRun = lr.snapshot(), score, epoch
		}
	}
	g, err := onnxgraph.TfidfSparseLinear(idf,
		onnxgraph.Matrix{Rows: cfg.Dims, Cols: len(in.Labels), Data: best.weights}, best.bias, onnxgraph.Softmax)
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
	return WriteMeta(dir, &Meta{Kind: KindTfidfLogreg, Labels: in.Labels, FeaturesVersion: FeaturesVersion, Config: raw})
}

// hashExamples builds the raw token vectors of examples in parallel,
// dropping examples whose first label is not an output.
func hashExamples(examples []Example, labels []string, cfg TfidfConfig) []labeledVector {
	out := make([]labeledVector, len(examples))
	keep := make([]bool, len(examples))
	parallelFor(len(examples), func(i int) {
		e := examples[i]
		if y := slices.Index(labels, e.Labels[0]); y >= 0 {
			out[i] = labeledVector{SparseVector: Hash(Tokens(e.Features, cfg.Tokens), cfg.Dims), label: y, repo: e.Repo}
			keep[i] = true
		}
	})
	kept := out[:0]
	for i, v := range out {
		if keep[i] {
			kept = append(kept, v)
		}
	}
	return kept
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

// logreg is multinomial logistic regression trained by Adagrad.
type logreg struct {
	cfg          TfidfConfig
	k            int
	weights      []float32 // [dims × k]
	bias         []float32
	gradSq       []float32
	biasGradSq   []float32
	classWeights []float64
	p            []float64
}

func newLogreg(cfg TfidfConfig, k int, train []labeledVector) *logreg {
	counts := make([]float64, k)
	for _, v := range train {
		counts[v.label]++
	}
	present := 0
	for _, c := range counts {
		if c > 0 {
			present++
		}
	}
	cw := make([]float64, k)
	for i, c := range counts {
		if c > 0 {
			cw[i] = math.Pow(float64(len(train))/(float64(present)*c), cfg.ClassWeightPower)
		}
	}
	return &logreg{cfg: cfg, k: k, weights: make([]float32, cfg.Dims*k), bias: make([]float32, k),
		gradSq: make([]float32, cfg.Dims*k), biasGradSq: make([]float32, k), classWeights: cw, p: make([]float64, k)}
}

// forward fills lr.p with the softmax probabilities of v.
func (lr *logreg) forward(v *SparseVector) {
	for c := range lr.k {
		lr.p[c] = float64(lr.bias[c])
	}
	for j, i := range v.Indices {
		x := float64(v.Values[j])
		row := lr.weights[int(i)*lr.k : int(i)*lr.k+lr.k]
		for c, w := range row {
			lr.p[c] += float64(w) * x
		}
	}
	softmaxInPlace(lr.p)
}

// step takes one Adagrad step on the weighted (focal) cross-entropy of v.
func (lr *logreg) step(v *labeledVector) {
	lr.forward(&v.SparseVector)
	scale := lr.classWeights[v.label]
	if lr.cfg.FocalGamma > 0 {
		// Focal loss, with the modulating factor treated as a constant weight.
		scale *= math.Pow(1-lr.p[v.label], lr.cfg.FocalGamma)
	}
	eta := lr.cfg.LearningRate
	for c := range lr.k {
		g := lr.p[c]
		if c == v.label {
			g--
		}
		g *= scale
		for j, i := range v.Indices {
			at := int(i)*lr.k + c
			gw := g*float64(v.Values[j]) + lr.cfg.L2*float64(lr.weights[at])
			lr.gradSq[at] += float32(gw * gw)
			lr.weights[at] -= float32(eta * gw / (math.Sqrt(float64(lr.gradSq[at])) + 1e-8))
		}
		lr.biasGradSq[c] += float32(g * g)
		lr.bias[c] -= float32(eta * g / (math.Sqrt(float64(lr.biasGradSq[c])) + 1e-8))
	}
}

// macroF1 scores the current weights' top label on vectors.
func (lr *logreg) macroF1(vectors []labeledVector) float64 {
	outcomes := make([]Scored, len(vectors))
	names := make([]string, lr.k)
	for i := range names {
		names[i] = fmt.Sprint(i)
	}
	for n := range vectors {
		lr.forward(&vectors[n].SparseVector)
		p := make([]float32, lr.k)
		for c, v := range lr.p {
			p[c] = float32(v)
		}
		outcomes[n] = Scored{Truth: []string{names[vectors[n].label]}, Probabilities: p}
	}
	return Evaluate(names, outcomes).MacroF1
}

// logregWeights is a copy of the parameters.
type logregWeights struct {
	weights, bias []float32
}

func (lr *logreg) snapshot() logregWeights {
	return logregWeights{weights: slices.Clone(lr.weights), bias: slices.Clone(lr.bias)}
}

func softmaxInPlace(p []float64) {
	mx := math.Inf(-1)
	for _, v := range p {
		mx = math.Max(mx, v)
	}
	z := 0.0
	for i, v := range p {
		p[i] = math.Exp(v - mx)
		z += p[i]
	}
	for i := range p {
		p[i] /= z
	}
}
