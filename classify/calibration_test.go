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
