package classify

import (
	"math"
	"testing"
)

func TestRepositoryPriorWeighsEachExample(t *testing.T) {
	train := []labeledVector{{label: 0}, {label: 0, weight: 3}, {label: 1}, {label: 1, weight: 0.5}}
	w := repositoryPrior{k: 2, classWeightPower: 1, halfLife: -1}.weights(train)
	for i, want := range []float64{1, 3, 1, 0.5} {
		if got := w[i] / w[0]; math.Abs(got-want) > 1e-12 {
			t.Errorf("example %d weighs %v of the first, want %v", i, got, want)
		}
	}
}
