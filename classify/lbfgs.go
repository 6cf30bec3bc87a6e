package classify

import (
	"context"
	"math"
)

// lbfgsOptions stop a limited-memory BFGS minimisation.
type lbfgsOptions struct {
	// Memory is how many correction pairs approximate the inverse Hessian.
	Memory int
	// MaxIterations bounds the iterations (each one or more evaluations).
	MaxIterations int
	// Tolerance stops once the objective's relative decrease over the last
	// iteration falls under it (as liblinear and SciPy's ftol do).
	Tolerance float64
}

// objective returns f(x) and writes ∇f(x) into grad.
type objective func(x, grad []float64) float64

// lbfgsResult says how a minimisation ended.
type lbfgsResult struct {
	Iterations, Evaluations int
	Value                   float64
	// Converged is false when MaxIterations stopped it.
	Converged bool
}

// minimizeLBFGS minimises a smooth convex f from x (updated in place) by
// L-BFGS with a backtracking line search under the Armijo condition.
// Correction pairs without positive curvature are skipped, so the
// approximation stays positive definite.
func minimizeLBFGS(ctx context.Context, x []float64, f objective, o lbfgsOptions) (lbfgsResult, error) {
	n := len(x)
	g := make([]float64, n)
	fx := f(x, g)
	res := lbfgsResult{Evaluations: 1, Value: fx}
	s := make([][]float64, 0, o.Memory)
	y := make([][]float64, 0, o.Memory)
	rho := make([]float64, 0, o.Memory)
	alpha := make([]float64, o.Memory)
	d := make([]float64, n)
	xNew := make([]float64, n)
	gNew := make([]float64, n)
	for res.Iterations < o.MaxIterations {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		// Two-loop recursion: d = −H·g.
		inParts(n, vectorParts(n), func(_, lo, hi int) {
			for i := lo; i < hi; i++ {
				d[i] = -g[i]
			}
		})
		for j := len(s) - 1; j >= 0; j-- {
			alpha[j] = rho[j] * dot(s[j], d)
			axpy(-alpha[j], y[j], d)
		}
		if k := len(s) - 1; k >= 0 {
			scale(dot(s[k], y[k])/dot(y[k], y[k]), d)
		} else if gn := math.Sqrt(dot(g, g)); gn > 0 {
			scale(1/gn, d) // the first step is one unit long
		}
		for j := range s {
			beta := rho[j] * dot(y[j], d)
			axpy(alpha[j]-beta, s[j], d)
		}
		slope := dot(g, d)
		if slope >= 0 || math.IsNaN(slope) {
			if len(s) == 0 {
				res.Converged = true // at a stationary point already
				return res, nil
			}
			// A stale approximation: restart from steepest descent.
			s, y, rho = s[:0], y[:0], rho[:0]
			continue
		}
		step, fNew := 1.0, 0.0
		for tries := 0; ; tries++ {
			inParts(n, vectorParts(n), func(_, lo, hi int) {
				for i := lo; i < hi; i++ {
					xNew[i] = x[i] + step*d[i]
				}
			})
			fNew = f(xNew, gNew)
			res.Evaluations++
			if fNew <= fx+1e-4*step*slope || tries == 30 {
				break
			}
			step /= 2
		}
		res.Iterations++
		if fNew > fx {
			res.Converged = true // no descent along a descent direction: at machine precision
			return res, nil
		}
		var sk, yk []float64
		if len(s) == o.Memory {
			sk, yk = s[0], y[0]
			s, y, rho = s[1:], y[1:], rho[1:]
		} else {
			sk, yk = make([]float64, n), make([]float64, n)
		}
		inParts(n, vectorParts(n), func(_, lo, hi int) {
			for i := lo; i < hi; i++ {
				sk[i] = xNew[i] - x[i]
				yk[i] = gNew[i] - g[i]
			}
		})
		if sy := dot(sk, yk); sy > 1e-10*dot(yk, yk) {
			s, y, rho = append(s, sk), append(y, yk), append(rho, 1/sy)
		}
		decrease := fx - fNew
		copy(x, xNew)
		copy(g, gNew)
		fx = fNew
		res.Value = fx
		if decrease <= o.Tolerance*max(math.Abs(fx), 1) {
			res.Converged = true
			return res, nil
		}
	}
	return res, nil
}

func dot(a, b []float64) float64 {
	sums := make([]float64, vectorParts(len(a)))
	inParts(len(a), len(sums), func(part, lo, hi int) {
		s := 0.0
		for i, v := range a[lo:hi] {
			s += v * b[lo+i]
		}
		sums[part] = s
	})
	total := 0.0
	for _, s := range sums {
		total += s
	}
	return total
}

// axpy adds a·x to y.
func axpy(a float64, x, y []float64) {
	inParts(len(x), vectorParts(len(x)), func(_, lo, hi int) {
		for i, v := range x[lo:hi] {
			y[lo+i] += a * v
		}
	})
}

func scale(a float64, x []float64) {
	inParts(len(x), vectorParts(len(x)), func(_, lo, hi int) {
		for i := range x[lo:hi] {
			x[lo+i] *= a
		}
	})
}
