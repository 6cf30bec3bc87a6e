package classify

// warmStart is the mean of the parameters of the tfidf_logreg models the
// threshold folds fitted, each on all repositories but a quarter: the
// optimum over all of them lies near that mean, so the final fit starting
// there converges in fewer iterations than from zero. The fit is to the
// same objective and tolerance either way; only the path is shorter.
type warmStart struct {
	weights, bias []float64
	models        int
}

// add adds a fold's model to the mean, if it is a tfidf_logreg one.
func (s *warmStart) add(m Model) error {
	base, ok := tfidfBase(m)
	if !ok {
		return nil
	}
	if err := base.readParameters(); err != nil {
		return err
	}
	if s.models == 0 {
		s.weights, s.bias = make([]float64, len(base.weights)), make([]float64, len(base.bias))
	}
	if len(base.weights) != len(s.weights) || len(base.bias) != len(s.bias) {
		return nil // folds of another shape than the first: not averaged
	}
	for i, w := range base.weights {
		s.weights[i] += float64(w)
	}
	for i, b := range base.bias {
		s.bias[i] += float64(b)
	}
	s.models++
	return nil
}

// point is the mean as the optimiser's parameters over the compact rows
// active (compactRows) of k labels, or nil when no fold of that shape
// was added.
func (s *warmStart) point(active []int64, k int) []float64 {
	if s == nil || s.models == 0 || len(s.bias) != k {
		return nil
	}
	x := make([]float64, len(active)*k+k)
	n := float64(s.models)
	for r, i := range active {
		for c := range k {
			x[r*k+c] = s.weights[int(i)*k+c] / n
		}
	}
	for c := range k {
		x[len(active)*k+c] = s.bias[c] / n
	}
	return x
}
