package classify

import (
	"math"
	"math/rand/v2"
	"testing"
)

// overconfident makes outcomes of a two-label model whose probabilities
// are sharpened versions of the true ones, softmax(log q · sharpen): a
// temperature of sharpen undoes it.
func overconfident(n int, sharpen float64) []Scored {
	rng := rand.New(rand.NewPCG(5, 6))
	labels := []string{"a", "b"}
	out := make([]Scored, n)
	for i := range out {
		q := 0.5 + 0.5*rng.Float64() // the true probability of the model's top label
		p := []float32{float32(q), float32(1 - q)}
		Temper(p, 1/sharpen)
		truth := labels[0]
		if rng.Float64() > q {
			truth = labels[1]
		}
		out[i] = Scored{Truth: []string{truth}, Probabilities: p}
	}
	return out
}

func TestFitTemperatureUndoesOverconfidence(t *testing.T) {
	outcomes := overconfident(20000, 2.5)
	before := Evaluate([]string{"a", "b"}, outcomes).ExpectedCalibrationError
	temp := FitTemperature([]string{"a", "b"}, outcomes)
	if math.Abs(temp-2.5) > 0.15 {
		t.Errorf("temperature %v, want about 2.5", temp)
	}
	for _, o := range outcomes {
		Temper(o.Probabilities, temp)
	}
	after := Evaluate([]string{"a", "b"}, outcomes).ExpectedCalibrationError
	if after > 0.02 || after > before/3 {
		t.Errorf("expected calibration error %.3f before, %.3f after calibration", before, after)
	}
	if got := FitTemperature([]string{"a", "b"}, nil); got != 1 {
		t.Errorf("no outcomes: temperature %v, want 1", got)
	}
}

func TestTemperKeepsTheOrderAndSumsToOne(t *testing.T) {
	p := []float32{0.6, 0.3, 0.1}
	Temper(p, 2)
	if !(p[0] > p[1] && p[1] > p[2]) || math.Abs(float64(p[0]+p[1]+p[2])-1) > 1e-6 || p[0] >= 0.6 {
		t.Errorf("tempered at 2: %v, want flatter, same order, summing to 1", p)
	}
}

func TestOperatingCurveAndPointFor(t *testing.T) {
	labels := []string{"a", "b"}
	outcomes := overconfident(5000, 1)
	curve := OperatingCurve(labels, outcomes)
	if len(curve) != len(OperatingPrecisions) {
		t.Fatalf("%d points, want %d", len(curve), len(OperatingPrecisions))
	}
	for i, p := range curve {
		if p.Coverage > 0 && p.Precision < p.Target-0.01 {
			t.Errorf("point %v: precision %v under its target", p.Target, p.Precision)
		}
		if i > 0 && p.Coverage > curve[i-1].Coverage {
			t.Errorf("coverage grows with the target: %v then %v", curve[i-1], p)
		}
	}
	m := &Meta{OperatingPoints: curve}
	for _, tc := range []struct{ ask, want float64 }{{0.5, 0.70}, {0.8, 0.80}, {0.815, 0.82}, {0.99, 0.95}} {
		if p, ok := m.PointFor(tc.ask); !ok || p.Target != tc.want {
			t.Errorf("PointFor(%v) = %v, %v; want the point for %v", tc.ask, p.Target, ok, tc.want)
		}
	}
	if _, ok := (&Meta{}).PointFor(0.9); ok {
		t.Error("a model without a curve gave a point")
	}
}

func TestExpectedCalibrationError(t *testing.T) {
	// Two bins: 0.95 right once of twice (error 0.45), 0.55 right once of twice (0.05).
	outcomes := []Scored{
		{Truth: []string{"a"}, Probabilities: []float32{0.95, 0.05}},
		{Truth: []string{"b"}, Probabilities: []float32{0.95, 0.05}},
		{Truth: []string{"a"}, Probabilities: []float32{0.55, 0.45}},
		{Truth: []string{"b"}, Probabilities: []float32{0.55, 0.45}},
	}
	if got := Evaluate([]string{"a", "b"}, outcomes).ExpectedCalibrationError; math.Abs(got-0.25) > 1e-6 {
		t.Errorf("ECE %v, want (0.45+0.05)/2 = 0.25", got)
	}
}

// TestTopCalibrationMakesLabelsRankTogether: a rare label whose top
// probabilities are inflated (right half the time at 0.95) and a common one
// that is honest end up with top probabilities that say how often they are
// right, while the top label of every prediction stays the same.
func TestTopCalibrationMakesLabelsRankTogether(t *testing.T) {
	labels := []string{"common", "rare", "third"}
	rng := rand.New(rand.NewPCG(7, 8))
	var outcomes []Scored
	for i := range 4000 {
		var s Scored
		if i%4 == 0 {
			s.Probabilities = []float32{0.03, 0.95, 0.02}
			s.Truth = []string{labels[1+rng.IntN(2)*1]} // rare half the time
			if rng.Float64() < 0.5 {
				s.Truth = []string{"rare"}
			} else {
				s.Truth = []string{"common"}
			}
		} else {
			q := 0.5 + 0.5*rng.Float64()
			s.Probabilities = []float32{float32(q), float32(1-q) / 2, float32(1-q) / 2}
			s.Truth = []string{"common"}
			if rng.Float64() > q {
				s.Truth = []string{"third"}
			}
		}
		outcomes = append(outcomes, s)
	}
	maps := FitTopCalibration(labels, outcomes)
	before := Evaluate(labels, outcomes).ExpectedCalibrationError
	for _, o := range outcomes {
		top := argmax(o.Probabilities)
		calibrateTop(o.Probabilities, labels, maps)
		if argmax(o.Probabilities) != top {
			t.Fatalf("calibration moved the top label of %v", o.Probabilities)
		}
		if sum := o.Probabilities[0] + o.Probabilities[1] + o.Probabilities[2]; math.Abs(float64(sum)-1) > 1e-5 {
			t.Fatalf("calibrated probabilities %v sum to %v", o.Probabilities, sum)
		}
	}
	if got := maps["rare"].at(0.95); math.Abs(got-0.5) > 0.05 {
		t.Errorf("rare at 0.95 calibrates to %.3f, want about 0.5", got)
	}
	if after := Evaluate(labels, outcomes).ExpectedCalibrationError; after > 0.03 || after > before/3 {
		t.Errorf("expected calibration error %.3f before, %.3f after", before, after)
	}
	if _, ok := maps["third"]; ok {
		t.Error("a label never on top got a calibration")
	}
}

func TestCalibrateTopKeepsTheTopLabelOnTop(t *testing.T) {
	labels := []string{"a", "b"}
	p := []float32{0.55, 0.45}
	calibrateTop(p, labels, map[string]TopCalibration{"a": {X: []float64{0.5, 0.6}, Y: []float64{0.1, 0.2}}})
	if p[0] <= p[1] {
		t.Errorf("calibrated to %v: the top label lost its place", p)
	}
}
