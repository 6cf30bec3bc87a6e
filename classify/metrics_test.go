package classify

import (
	"math"
	"testing"
)

func TestEvaluate(t *testing.T) {
	labels := []string{"feat", "fix", "docs"}
	p := func(a, b, c float32) []float32 { return []float32{a, b, c} }
	outcomes := []Scored{
		{Truth: []string{"feat"}, Probabilities: p(.9, .05, .05), Applied: []string{"feat"}},
		{Truth: []string{"feat"}, Probabilities: p(.2, .7, .1), Applied: []string{"fix"}},
		{Truth: []string{"fix"}, Probabilities: p(.1, .8, .1), Applied: []string{"fix"}},
		{Truth: []string{"fix", "docs"}, Probabilities: p(.1, .5, .4), Applied: nil},
	}
	m := Evaluate(labels, outcomes)
	near := func(what string, got, want float64) {
		t.Helper()
		if math.Abs(got-want) > 1e-9 {
			t.Errorf("%s = %v, want %v", what, got, want)
		}
	}
	near("accuracy", m.Accuracy, 0.75)
	// feat: p 1/1 r 1/2 → 2/3; fix: p 2/3 r 2/2 → 0.8; docs is no first label.
	near("macro F1", m.MacroF1, (2.0/3+0.8)/2)
	near("applied precision", m.AppliedPrecision, 2.0/3)
	near("applied coverage", m.AppliedCoverage, 0.75)
	if m.Confusion[0][1] != 1 || m.Confusion[1][1] != 2 || m.N != 4 {
		t.Errorf("confusion %v", m.Confusion)
	}
	// Multi-label, the abstained example predicting its top label fix:
	// tp feat 1, fix 2; fp fix 1; fn feat 1, docs 1.
	near("multi micro F1", m.MultiMicroF1, harmonic(3.0/4, 3.0/5))
	// Most confident first: .9 ok, .8 ok, .7 wrong, .5 ok → 80% keeps 2 of 4... 3/4 ≥ .8? no; so 0.5.
	if m.CoverageAt[0].Precision != 0.80 || m.CoverageAt[0].Coverage != 0.5 {
		t.Errorf("coverage at 0.8 = %+v", m.CoverageAt[0])
	}
}

func TestTuneAndApplyThresholds(t *testing.T) {
	labels := []string{"a", "b"}
	var outcomes []Scored
	// Label a: confident predictions right, unsure ones wrong.
	for i := 0; i < 40; i++ {
		p := float32(0.55 + 0.01*float32(i))
		truth := "a"
		if i < 10 {
			truth = "b"
		}
		outcomes = append(outcomes, Scored{Truth: []string{truth}, Probabilities: []float32{p, 1 - p}})
	}
	th := TuneThresholds(labels, outcomes, 0.9)
	if th["a"] < 0.6 || th["a"] > 0.66 {
		t.Errorf("threshold a = %v, want the cut after the wrong predictions (~0.64)", th["a"])
	}
	if th["b"] != th["a"] {
		t.Errorf("rarely predicted b gets %v, want the strictest (%v)", th["b"], th["a"])
	}
	if got := ApplyThresholds(labels, []float32{0.9, 0.1}, th); len(got) != 1 || got[0].Label != "a" {
		t.Errorf("apply 0.9 → %v", got)
	}
	if got := ApplyThresholds(labels, []float32{0.55, 0.45}, th); len(got) != 0 {
		t.Errorf("apply 0.55 → %v, want abstain", got)
	}
}

func FuzzParseMeta(f *testing.F) {
	f.Add([]byte(`{"format":1,"kind":"tfidf_logreg","labels":["fix","feat"],"thresholds":{"fix":0.5}}`))
	f.Add([]byte(`{"format":1,"kind":"x","labels":["a","a"]}`))
	f.Add([]byte(`{`))
	f.Add([]byte(`{"format":1,"kind":"k","labels":["fix","feat"],"temperature":1.5,"top_calibration":{"fix":{"x":[0.4,0.9],"y":[0.3,0.8]}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseMeta(data)
		if err != nil {
			return
		}
		if m.Kind == "" || len(m.Labels) == 0 {
			t.Fatalf("accepted %q", data)
		}
		// An accepted calibration calibrates any probabilities into probabilities.
		for _, top := range []int{0, len(m.Labels) - 1} {
			p := make([]float32, len(m.Labels))
			for i := range p {
				p[i] = 0.1 / float32(len(p))
			}
			p[top] += 0.9
			m.Calibrate(p)
			sum := float32(0)
			for _, v := range p {
				if v < 0 || v > 1 || v != v {
					t.Fatalf("calibrated to %v", p)
				}
				sum += v
			}
			if sum < 0.999 || sum > 1.001 {
				t.Fatalf("calibrated to %v, summing to %v", p, sum)
			}
		}
		for l, th := range m.Thresholds {
			if th < 0 || th > 1 {
				t.Fatalf("accepted threshold %s=%v", l, th)
			}
		}
	})
}

func TestThresholdsHoldThePrecisionOfAllLabelsApplied(t *testing.T) {
	labels := []string{"a", "b"}
	var outcomes []Scored
	add := func(label int, p float32, correct bool) {
		truth := labels[label]
		if !correct {
			truth = labels[1-label]
		}
		probs := []float32{1 - p, 1 - p}
		probs[label] = p
		outcomes = append(outcomes, Scored{Truth: []string{truth}, Probabilities: probs})
	}
	for i := range 30 { // a: always right
		add(0, 0.9+0.001*float32(i), true)
	}
	for i := range 20 { // b: right 4 times in 5
		add(1, 0.7+0.001*float32(i), i%5 != 0)
	}
	for i := range 20 { // b, less sure: right 1 time in 4
		add(1, 0.6+0.001*float32(i), i%4 == 0)
	}
	th := TuneThresholds(labels, outcomes, 0.9)
	// All of a and b's first 20 give 46 of 50 = 0.92: b is applied down to
	// its run at 0.7, though b alone never reaches 0.9.
	if th["a"] > 0.9 || th["b"] < 0.69 || th["b"] > 0.71 {
		t.Errorf("thresholds %v, want a ≤ 0.9 and b at 0.70", th)
	}
}

func TestEvaluateCountsAppliedLabelsPerLabel(t *testing.T) {
	labels := []string{"ci", "fix"}
	outcomes := []Scored{
		{Truth: []string{"ci"}, Probabilities: []float32{0.9, 0.1}, Applied: []string{"ci"}},
		{Truth: []string{"fix"}, Probabilities: []float32{0.8, 0.2}, Applied: []string{"ci"}},
		{Truth: []string{"ci"}, Probabilities: []float32{0.6, 0.4}}, // abstained: not applied
		{Truth: []string{"fix"}, Probabilities: []float32{0.1, 0.9}, Applied: []string{"fix"}},
	}
	m := Evaluate(labels, outcomes)
	for l, want := range map[string][2]int{"ci": {2, 1}, "fix": {1, 1}} {
		if got := m.PerLabel[l]; got.Applied != want[0] || got.AppliedRight != want[1] {
			t.Errorf("%s: applied %d, right %d; want %d, %d", l, got.Applied, got.AppliedRight, want[0], want[1])
		}
	}
}
