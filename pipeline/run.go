package pipeline

import (
	"context"
	"fmt"
	"slices"
)

// phaseFuncs maps each phase to its function.
var phaseFuncs = map[string]PhaseFunc{
	PhaseClone:   Clone,
	PhaseExtract: Extract,
	PhaseStride:  Stride,
	PhaseEnrich:  Enrich,
	PhaseLabel:   Label,
	PhaseTrain:   TrainModels,
	PhaseSummary: Summarize,
}

// SelectPhases returns the phases `run` executes: only the named one, or
// every phase from the named one on, or all of them.
func SelectPhases(only, from string) ([]string, error) {
	if only != "" && from != "" {
		return nil, fmt.Errorf("--only and --from are exclusive")
	}
	for flag, name := range map[string]string{"--only": only, "--from": from} {
		if name == "" {
			continue
		}
		if !slices.Contains(PhaseNames, name) {
			return nil, fmt.Errorf("%s %q: unknown phase (phases: %v)", flag, name, PhaseNames)
		}
	}
	if only != "" {
		return []string{only}, nil
	}
	start := 0
	if from != "" {
		start = slices.Index(PhaseNames, from)
	}
	return slices.Clone(PhaseNames[start:]), nil
}

// RunPhases runs the named phases in order, each recorded in the runs table,
// and stops at the first failure.
func RunPhases(ctx context.Context, env *Env, phases []string) ([]Result, error) {
	var results []Result
	for _, p := range phases {
		fn, ok := phaseFuncs[p]
		if !ok {
			return results, fmt.Errorf("phase %q is not available in this version", p)
		}
		res, err := RunPhase(ctx, env, p, fn)
		results = append(results, res)
		if err != nil {
			return results, err
		}
	}
	return results, nil
}
