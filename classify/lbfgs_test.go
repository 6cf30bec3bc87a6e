package classify

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"
)

// TestMinimizeLBFGSFindsTheMinimumOfAnIllConditionedQuadratic checks the
// minimiser on f(x) = ½ Σ aᵢ(xᵢ − cᵢ)², whose minimum is c, with curvatures
// spread over four orders of magnitude (as the penalty and the data terms
// of a weakly regularised regression are).
func TestMinimizeLBFGSFindsTheMinimumOfAnIllConditionedQuadratic(t *testing.T) {
	const n = 50
	rng := rand.New(rand.NewPCG(1, 2))
	a, c := make([]float64, n), make([]float64, n)
	for i := range a {
		a[i] = math.Pow(10, 4*float64(i)/n)
		c[i] = rng.NormFloat64()
	}
	f := func(x, g []float64) float64 {
		s := 0.0
		for i := range x {
			d := x[i] - c[i]
			s += 0.5 * a[i] * d * d
			g[i] = a[i] * d
		}
		return s
	}
	x := make([]float64, n)
	res, err := minimizeLBFGS(context.Background(), x, f, lbfgsOptions{Memory: 8, MaxIterations: 5000, Tolerance: 1e-12})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Converged {
		t.Errorf("not converged after %d iterations: %+v", res.Iterations, res)
	}
	for i := range x {
		if math.Abs(x[i]-c[i]) > 1e-4 {
			t.Fatalf("x[%d] = %v, want %v (after %d iterations)", i, x[i], c[i], res.Iterations)
		}
	}
}

func TestMinimizeLBFGSStopsAtMaxIterationsAndOnCancel(t *testing.T) {
	f := func(x, g []float64) float64 { // Rosenbrock: slow from (−1.2, 1)
		g[0] = -2*(1-x[0]) - 400*x[0]*(x[1]-x[0]*x[0])
		g[1] = 200 * (x[1] - x[0]*x[0])
		return (1-x[0])*(1-x[0]) + 100*(x[1]-x[0]*x[0])*(x[1]-x[0]*x[0])
	}
	x := []float64{-1.2, 1}
	res, err := minimizeLBFGS(context.Background(), x, f, lbfgsOptions{Memory: 5, MaxIterations: 3, Tolerance: 1e-12})
	if err != nil || res.Converged || res.Iterations != 3 {
		t.Errorf("3 iterations: %+v, %v; want 3 iterations, not converged", res, err)
	}
	x = []float64{-1.2, 1}
	res, err = minimizeLBFGS(context.Background(), x, f, lbfgsOptions{Memory: 5, MaxIterations: 1000, Tolerance: 1e-15})
	if err != nil || math.Abs(x[0]-1) > 1e-3 || math.Abs(x[1]-1) > 1e-3 {
		t.Errorf("Rosenbrock: x = %v after %+v, %v; want (1, 1)", x, res, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := minimizeLBFGS(ctx, []float64{-1.2, 1}, f, lbfgsOptions{Memory: 5, MaxIterations: 10}); err == nil {
		t.Error("cancelled context: no error")
	}
}

// TestSoftmaxRegressionGradient compares the analytic gradient with
// central differences, with class weights and the penalty in play.
func TestSoftmaxRegressionGradient(t *testing.T) {
	const dims, k = 7, 3
	rng := rand.New(rand.NewPCG(3, 4))
	var data []labeledVector
	for i := range 40 {
		v := labeledVector{label: i % k}
		if i%5 == 0 {
			v.label = 0 // unbalanced classes
		}
		for d := range int64(dims) {
			if rng.Float64() < 0.5 {
				v.Indices = append(v.Indices, d)
				v.Values = append(v.Values, float32(rng.Float64()))
			}
		}
		data = append(data, v)
	}
	r := newSoftmaxRegression(data, k, dims, 0.7, 1)
	x := make([]float64, dims*k+k)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	g := make([]float64, len(x))
	r.eval(x, g)
	scratch := make([]float64, len(x))
	for i := range x {
		const h = 1e-6
		old := x[i]
		x[i] = old + h
		up := r.eval(x, scratch)
		x[i] = old - h
		down := r.eval(x, scratch)
		x[i] = old
		if num := (up - down) / (2 * h); math.Abs(num-g[i]) > 1e-6*max(1, math.Abs(num)) {
			t.Errorf("∂f/∂x[%d] = %v, numerically %v", i, g[i], num)
		}
	}
}

// TestSoftmaxRegressionFitsSeparableData: a fit to convergence classifies
// data whose label is one active index exactly.
func TestSoftmaxRegressionFitsSeparableData(t *testing.T) {
	const k = 4
	var data []labeledVector
	for i := range 200 {
		y := i % k
		data = append(data, labeledVector{SparseVector: SparseVector{Indices: []int64{int64(y), int64(k + i%3)}, Values: []float32{0.8, 0.6}}, label: y})
	}
	r := newSoftmaxRegression(data, k, k+3, 10, 1)
	w, b, res, err := r.fit(context.Background(), lbfgsOptions{Memory: 8, MaxIterations: 300, Tolerance: 1e-9})
	if err != nil || !res.Converged {
		t.Fatalf("fit: %+v, %v", res, err)
	}
	for _, v := range data {
		best, bestScore := -1, math.Inf(-1)
		for c := range k {
			s := float64(b[c])
			for j, idx := range v.Indices {
				s += float64(w[int(idx)*k+c]) * float64(v.Values[j])
			}
			if s > bestScore {
				best, bestScore = c, s
			}
		}
		if best != v.label {
			t.Fatalf("example of label %d scored %d best", v.label, best)
		}
	}
}
