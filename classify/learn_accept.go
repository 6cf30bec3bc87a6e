package classify

import (
	"fmt"
	"math"
)

// Defaults of how a repository model's thresholds and acceptance hold out
// of sample (LearnOptions.ThresholdPrior and AcceptanceZ).
const (
	DefaultLearnThresholdPrior = 40
	DefaultLearnAcceptanceZ    = 1
)

// Default weights of a commit by the source of its labels
// (LearnOptions.CorrectionWeight, PullRequestWeight). The corpus records
// neither source, so `train eval --warm` infers them (weighHistory). A
// commit merged from a pull request weighing 2 let two of the 20 hold-out
// repositories of `make warm` serve models less precise than the global
// one: its label is its header's, which a merge does not make surer.
// Corrections of half the global model's wrong labels weighing 2 moved
// macro-F1 by −0.002 and accuracy by +0.002, weighing 3 left
// deepset-ai/haystack 0.036 under its precision floor: the correction
// already wins over the header for its commit, and 2 is as much more as
// holds.
const (
	DefaultLearnCorrectionWeight  = 2
	DefaultLearnPullRequestWeight = 1
)

// How a repository model's probabilities are calibrated
// (LearnOptions.Calibration): a temperature and each label's top
// calibration fitted on the repository's newest commits, the temperature
// alone, or the global model's calibration kept. Each label's top
// calibration, fitted on a few dozen predictions of it, flattens the most
// confident ones into ties and loses their order: on the 20 hold-out
// repositories of `make warm` the temperature alone serves the same
// macro-F1 (0.628) and accuracy (0.770), 77.4% of commits labeled
// against 74.5%, and 42.4% at precision 0.95 against 25.8%. The global
// model's calibration, fitted on other repositories, serves macro-F1
// 0.605.
const (
	CalibrateLabels      = "labels"
	CalibrateTemperature = "temperature"
	CalibrateGlobal      = "global"
)

// calibrateRepository sets meta's calibration as mode says and calibrates
// outcomes in place by it.
func calibrateRepository(meta *Meta, outcomes []Scored, global *Meta, mode string) error {
	switch mode {
	case CalibrateLabels:
		calibrate(meta, outcomes)
		return nil
	case CalibrateTemperature:
		meta.Temperature = FitTemperature(meta.Labels, outcomes)
	case CalibrateGlobal:
		meta.Temperature, meta.TopCalibration = global.Temperature, global.TopCalibration
	default:
		return fmt.Errorf("calibration %q: want %s, %s or %s", mode, CalibrateLabels, CalibrateTemperature, CalibrateGlobal)
	}
	eachRow(func(p []float32) {
		Temper(p, meta.Temperature)
		calibrateTop(p, meta.Labels, meta.TopCalibration)
	}, outcomes)
	return nil
}

// repositoryThresholds calibrates outcomes in place (meta's temperature
// and per-label top calibration are fitted on them) and sets meta's
// thresholds and operating curve: each label's threshold tuned on outcomes
// for target, drawn toward the global model's threshold for the same
// precision in proportion to the evidence, (n·own + prior·global)/(n +
// prior), n being the outcomes whose top label it is. Thresholds fitted on
// a few dozen of a repository's newest commits alone do not hold on the
// commits that follow; the global ones were fitted out of fold over many
// repositories, so a label the repository has little evidence of keeps
// nearly the global threshold and one it has much of earns its own.
func repositoryThresholds(meta *Meta, outcomes []Scored, target float64, global *Meta, prior float64, calibration string) error {
	if err := calibrateRepository(meta, outcomes, global, calibration); err != nil {
		return err
	}
	tune(meta, outcomes, target)
	if prior <= 0 {
		return nil
	}
	counts := make(map[string]float64, len(meta.Labels))
	for _, o := range outcomes {
		counts[meta.Labels[argmax(o.Probabilities)]]++
	}
	shrink := func(own map[string]float64, precision float64) {
		toward := global.Thresholds
		if p, ok := global.PointFor(precision); ok {
			toward = p.Thresholds
		}
		for l, t := range own {
			g, ok := toward[l]
			if !ok {
				continue
			}
			n := counts[l]
			own[l] = (n*t + prior*g) / (n + prior)
		}
	}
	shrink(meta.Thresholds, target)
	for i := range meta.OperatingPoints {
		shrink(meta.OperatingPoints[i].Thresholds, meta.OperatingPoints[i].Target)
	}
	return nil
}

// crossFitted returns outcomes (a repository's newest commits in time
// order, as the repository model scores them before calibration) with
// probabilities calibrated and labels applied as repositoryThresholds would
// serve them, each half under the calibration and thresholds fitted on
// the other half, in their order: the applied precision and coverage
// they give are the ones to expect on commits the thresholds never saw,
// where the same figures on the outcomes the thresholds were tuned on
// flatter them.
func crossFitted(labels []string, outcomes []Scored, target float64, global *Meta, prior float64, calibration string) ([]Scored, error) {
	half := len(outcomes) / 2
	out := make([]Scored, len(outcomes))
	for _, split := range [][2][2]int{{{0, half}, {half, len(outcomes)}}, {{half, len(outcomes)}, {0, half}}} {
		tune, apply := split[0], split[1]
		meta := &Meta{Labels: labels}
		if err := repositoryThresholds(meta, cloneScored(outcomes[tune[0]:tune[1]]), target, global, prior, calibration); err != nil {
			return nil, err
		}
		for i := apply[0]; i < apply[1]; i++ {
			p := append([]float32(nil), outcomes[i].Probabilities...)
			Temper(p, meta.Temperature)
			calibrateTop(p, labels, meta.TopCalibration)
			out[i] = Scored{Truth: outcomes[i].Truth, Probabilities: p, Applied: labelNames(ApplyThresholds(labels, p, meta.Thresholds))}
		}
	}
	return out, nil
}

// cloneScored copies outcomes with their own probabilities, for fitting a
// calibration on them without touching the originals.
func cloneScored(outcomes []Scored) []Scored {
	out := make([]Scored, len(outcomes))
	for i, o := range outcomes {
		out[i] = Scored{Truth: o.Truth, Probabilities: append([]float32(nil), o.Probabilities...)}
	}
	return out
}

// acceptance judges a repository model against the global model on the
// repository's newest commits: learned are the repository model's
// outcomes cross-fitted there (crossFitted), global the global model's
// under its own thresholds, both in the same order. The repository model
// serves only if what the maintainer would see is at least as
// trustworthy. Its top label must be right more often: of the commits on
// which exactly one of the two is right, the repository model must win
// more than it loses by z standard errors of that count (a sign test; on
// a few dozen commits an accuracy a few points higher is noise, and
// conventions drift). And its applied precision must not fall below
// min(target, global's) by more than z standard errors of a precision
// measured on as many applied labels. The empty reason accepts.
func acceptance(labels []string, learned, global []Scored, target, z float64) (learnedM, globalM *Metrics, reason string) {
	learnedM, globalM = Evaluate(labels, learned), Evaluate(labels, global)
	z = max(z, 0)
	wins, losses := 0, 0
	for i := range learned {
		l, g := learned[i].Truth[0] == labels[argmax(learned[i].Probabilities)], global[i].Truth[0] == labels[argmax(global[i].Probabilities)]
		switch {
		case l && !g:
			wins++
		case g && !l:
			losses++
		}
	}
	if float64(wins-losses) <= z*math.Sqrt(float64(wins+losses)) {
		return learnedM, globalM, fmt.Sprintf("accuracy on the newest %d commits %.3f, the global model's %.3f: right on %d where it was not, wrong on %d where it was, too few to tell it better",
			learnedM.N, learnedM.Accuracy, globalM.Accuracy, wins, losses)
	}
	floor := min(target, globalM.AppliedPrecision)
	applied := learnedM.AppliedCoverage * float64(learnedM.N)
	bound := 0.0
	if applied > 0 {
		bound = z * math.Sqrt(floor*(1-floor)/applied)
	}
	if learnedM.AppliedPrecision < floor-bound {
		return learnedM, globalM, fmt.Sprintf("applied precision on the newest %d commits %.3f on %.0f%% of them, under %.3f (the lower of the target %.2f and the global model's %.3f, less %.3f for %.0f labels applied)",
			learnedM.N, learnedM.AppliedPrecision, 100*learnedM.AppliedCoverage, floor-bound, target, globalM.AppliedPrecision, bound, applied)
	}
	return learnedM, globalM, ""
}
