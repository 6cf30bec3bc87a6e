package classify

import "testing"

// TestFitWeightsServesRareLabels: of two members, one calls every commit
// the frequent label and the other finds the rare label's commits at the
// cost of 40 of the 100 frequent ones. Plain macro-F1 prefers the first
// (0.495 against 0.42); the balanced one the ensemble is judged by prefers
// the second (0.79 against 0.33), and so must the fitted weights.
func TestFitWeightsServesRareLabels(t *testing.T) {
	const frequent, rare = 100, 2
	var truth []int
	var lumper, finder []float32
	for n := range frequent + rare {
		label := 0
		if n >= frequent {
			label = 1
		}
		truth = append(truth, label)
		lumper = append(lumper, 0.9, 0.1)
		if label == 1 || n < 40 {
			finder = append(finder, 0.1, 0.9)
		} else {
			finder = append(finder, 0.9, 0.1)
		}
	}
	w := fitWeights([][]float32{lumper, finder}, truth, 2)
	if w[1] <= w[0] {
		t.Fatalf("weights %v: want the member that finds the rare label weighted more", w)
	}
	got := scoreWeights([][]float32{lumper, finder}, truth, 2, w).macroF1
	if want := (0.75 + 2*0.714285/1.714285) / 2; got < want-1e-3 {
		t.Fatalf("balanced macro-F1 %.4f at weights %v, want %.4f", got, w, want)
	}
}
