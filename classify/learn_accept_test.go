package classify

import (
	"math"
	"strings"
	"testing"
)

// scoredAs builds n outcomes of truth whose top label is top with
// probability p (the rest shared by the other labels).
func scoredAs(labels []string, n int, truth, top string, p float32) []Scored {
	out := make([]Scored, n)
	for i := range out {
		probs := make([]float32, len(labels))
		for j, l := range labels {
			if l == top {
				probs[j] = p
			} else {
				probs[j] = (1 - p) / float32(len(labels)-1)
			}
		}
		out[i] = Scored{Truth: []string{truth}, Probabilities: probs}
	}
	return out
}

func TestAcceptanceNeedsEvidenceOfBetterLabels(t *testing.T) {
	labels := []string{"feat", "fix", "docs"}
	var right, wrong []Scored
	right = append(right, scoredAs(labels, 40, "fix", "fix", 0.9)...)
	wrong = append(wrong, scoredAs(labels, 40, "fix", "feat", 0.9)...)
	concat := func(parts ...[]Scored) []Scored {
		var out []Scored
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	applied := func(s []Scored) []Scored {
		for i := range s {
			s[i].Applied = []string{labels[argmax(s[i].Probabilities)]}
		}
		return s
	}
	tests := []struct {
		name            string
		learned, global []Scored
		refusedFor      string
	}{
		{"right on many where the global model was wrong", applied(concat(right[:30], right[30:])), applied(concat(wrong[:30], right[30:])), ""},
		{"a few wins are noise", applied(concat(right[:3], wrong[:1], right[4:])), applied(concat(wrong[:3], right[3:4], right[4:])), "too few to tell it better"},
		{"as accurate is not better", applied(concat(right[:20], wrong[20:])), applied(concat(right[:20], wrong[20:])), "too few to tell it better"},
		{"the global model's applied labels are less precise still", applied(concat(right[:30], wrong[:10])), concat(wrong[:30], applied(wrong[30:40])), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, reason := acceptance(labels, tt.learned, tt.global, 0.8, 1)
			if tt.refusedFor == "" && reason != "" {
				t.Fatalf("refused: %s", reason)
			}
			if tt.refusedFor != "" && !strings.Contains(reason, tt.refusedFor) {
				t.Fatalf("reason %q, want it refused for %q", reason, tt.refusedFor)
			}
		})
	}
}

func TestAcceptanceRefusesLessPreciseLabels(t *testing.T) {
	labels := []string{"feat", "fix", "docs"}
	// The repository model is right on 60 commits the global model gets
	// wrong, but applies labels to all 200 at precision 0.6, where the
	// global model applies 20 at precision 1.
	learned := append(scoredAs(labels, 120, "fix", "fix", 0.9), scoredAs(labels, 80, "fix", "feat", 0.9)...)
	global := append(scoredAs(labels, 60, "fix", "fix", 0.9), scoredAs(labels, 140, "fix", "feat", 0.9)...)
	for i := range learned {
		learned[i].Applied = []string{labels[argmax(learned[i].Probabilities)]}
	}
	for i := range 20 {
		global[i].Applied = []string{"fix"}
	}
	learnedM, globalM, reason := acceptance(labels, learned, global, 0.8, 1)
	if !strings.Contains(reason, "applied precision") {
		t.Fatalf("reason %q, want it refused for applied precision (learned %.2f on %.2f, global %.2f)", reason, learnedM.AppliedPrecision, learnedM.AppliedCoverage, globalM.AppliedPrecision)
	}
}

func TestRepositoryThresholdsDrawTowardTheGlobalOnesByEvidence(t *testing.T) {
	labels := []string{"feat", "fix", "docs"}
	global := &Meta{Labels: labels, Thresholds: map[string]float64{"feat": 0.9, "fix": 0.9, "docs": 0.9}}
	// fix: 400 predictions, all right at 0.5: its own threshold is low and
	// the evidence outweighs the prior. docs: 20 predictions, all right at
	// 0.5: it keeps most of the global threshold.
	outcomes := append(scoredAs(labels, 400, "fix", "fix", 0.5), scoredAs(labels, 20, "docs", "docs", 0.5)...)
	for i := range outcomes {
		outcomes[i].Probabilities[argmax(outcomes[i].Probabilities)] -= float32(i%10) * 0.01
	}
	own := &Meta{Labels: labels}
	if err := repositoryThresholds(own, cloneScored(outcomes), 0.8, global, -1, CalibrateLabels); err != nil {
		t.Fatal(err)
	}
	shrunk := &Meta{Labels: labels}
	if err := repositoryThresholds(shrunk, outcomes, 0.8, global, 40, CalibrateLabels); err != nil {
		t.Fatal(err)
	}
	for _, l := range []string{"fix", "docs"} {
		n := map[string]float64{"fix": 400, "docs": 20}[l]
		want := (n*own.Thresholds[l] + 40*0.9) / (n + 40)
		if math.Abs(shrunk.Thresholds[l]-want) > 1e-9 {
			t.Errorf("%s: threshold %v, want (%v·%v + 40·0.9)/(%v + 40) = %v", l, shrunk.Thresholds[l], n, own.Thresholds[l], n, want)
		}
	}
	if shrunk.Thresholds["fix"]-own.Thresholds["fix"] >= shrunk.Thresholds["docs"]-own.Thresholds["docs"] {
		t.Errorf("fix (400 predictions) moved %v toward the global threshold, docs (20) %v: the label with less evidence should move more",
			shrunk.Thresholds["fix"]-own.Thresholds["fix"], shrunk.Thresholds["docs"]-own.Thresholds["docs"])
	}
}

func TestCrossFittedKeepsOrderAndTruth(t *testing.T) {
	labels := []string{"feat", "fix", "docs"}
	outcomes := append(scoredAs(labels, 50, "fix", "fix", 0.7), scoredAs(labels, 50, "feat", "feat", 0.6)...)
	before := cloneScored(outcomes)
	out, err := crossFitted(labels, outcomes, 0.8, &Meta{Labels: labels}, 40, CalibrateLabels)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != len(outcomes) {
		t.Fatalf("%d outcomes, want %d", len(out), len(outcomes))
	}
	for i := range out {
		if out[i].Truth[0] != outcomes[i].Truth[0] || argmax(out[i].Probabilities) != argmax(outcomes[i].Probabilities) {
			t.Fatalf("outcome %d: truth %v top %d, want %v top %d", i, out[i].Truth, argmax(out[i].Probabilities), outcomes[i].Truth, argmax(outcomes[i].Probabilities))
		}
		if outcomes[i].Probabilities[0] != before[i].Probabilities[0] {
			t.Fatalf("outcome %d: the input's probabilities changed", i)
		}
	}
}

func TestCalibrateRepositoryModes(t *testing.T) {
	labels := []string{"feat", "fix", "docs"}
	global := &Meta{Labels: labels, Temperature: 2, TopCalibration: map[string]TopCalibration{"fix": {X: []float64{0, 1}, Y: []float64{0.5, 0.5}}}}
	for _, tc := range []struct {
		mode    string
		wantErr bool
		check   func(m *Meta) bool
	}{
		{CalibrateLabels, false, func(m *Meta) bool { return m.Temperature > 0 && m.Temperature != 2 }},
		{CalibrateTemperature, false, func(m *Meta) bool { return m.Temperature > 0 && m.Temperature != 2 && m.TopCalibration == nil }},
		{CalibrateGlobal, false, func(m *Meta) bool { return m.Temperature == 2 && len(m.TopCalibration["fix"].Y) == 2 }},
		{"label", true, nil},
	} {
		outcomes := append(scoredAs(labels, 40, "fix", "fix", 0.9), scoredAs(labels, 40, "feat", "fix", 0.9)...)
		meta := &Meta{Labels: labels}
		err := calibrateRepository(meta, outcomes, global, tc.mode)
		if tc.wantErr {
			if err == nil || !strings.Contains(err.Error(), `"label"`) {
				t.Errorf("%s: error %v, want one naming the mode", tc.mode, err)
			}
			continue
		}
		if err != nil || !tc.check(meta) {
			t.Errorf("%s: err %v, temperature %v, top calibration %v", tc.mode, err, meta.Temperature, meta.TopCalibration)
		}
	}
}
