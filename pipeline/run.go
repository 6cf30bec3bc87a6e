package pipeline

import (
	"context"
	"fmt"
	"slices"
)

// Phase is one step of the pipeline as the CLI, `train run`, the usage
// text and the learning worker know it.
type Phase struct {
	// Name is the phase's name, and its command.
	Name string
	// Summary is its line in the usage text.
	Summary string
	// Flags are the option flags it reads (the CLI's names), beyond the
	// common --db, --json and --log-level.
	Flags []string
	// Run runs it.
	Run PhaseFunc
}

// Phases are the seven phases `train run` runs, in order.
var Phases = []Phase{
	{PhaseClone, "bare-clone or fetch the repositories into --workdir",
		[]string{"workdir", "repo", "installations"}, Clone},
	{PhaseExtract, "stream non-merge commits with files and diffs into the store",
		[]string{"max-commits", "since", "diff-limit"}, Extract},
	{PhaseStride, "drop duplicate patches, draw the time-strided sample",
		[]string{"stride-per-year", "seed"}, Stride},
	{PhaseEnrich, "build per-commit features", nil, Enrich},
	{PhaseLabel, "label commits (conventional headers, ollama, human corrections)",
		[]string{"labeler", "ollama-host", "ollama-model", "ollama-batch", "ollama-concurrency", "ollama-num-ctx"}, Label},
	{PhaseTrain, "train --model KIND[,KIND...] into --out DIR (several kinds: and their ensemble)",
		[]string{"model", "out", "holdout", "max-examples", "seed", "encoder", "pooling", "import", "valid-share", "threshold-folds", "precision", "c-grid", "diff-words"}, TrainModels},
	{PhaseSummary, "write summary.json, summary.md and summary.html into --out",
		[]string{"out"}, Summarize},
}

// learnPhase is the learning worker's last phase (Options.Target).
var learnPhase = Phase{PhaseLearn, "learn the target repository's model from the global one and publish it", nil, Learn}

// LearnPhases are the phases a learn job runs on its repository.
var LearnPhases = []string{PhaseClone, PhaseExtract, PhaseLabel, PhaseLearn}

// LookupPhase returns the named phase, the learn phase included.
func LookupPhase(name string) (Phase, bool) {
	if name == PhaseLearn {
		return learnPhase, true
	}
	i := slices.IndexFunc(Phases, func(p Phase) bool { return p.Name == name })
	if i < 0 {
		return Phase{}, false
	}
	return Phases[i], true
}

// PhaseNames lists the names of Phases in order.
func PhaseNames() []string {
	names := make([]string, len(Phases))
	for i, p := range Phases {
		names[i] = p.Name
	}
	return names
}

// SelectPhases returns the phases `run` executes: only the named one, or
// every phase from the named one on, or all of them.
func SelectPhases(only, from string) ([]string, error) {
	if only != "" && from != "" {
		return nil, fmt.Errorf("--only and --from are exclusive")
	}
	names := PhaseNames()
	for flag, name := range map[string]string{"--only": only, "--from": from} {
		if name == "" {
			continue
		}
		if !slices.Contains(names, name) {
			return nil, fmt.Errorf("%s %q: unknown phase (phases: %v)", flag, name, names)
		}
	}
	if only != "" {
		return []string{only}, nil
	}
	start := 0
	if from != "" {
		start = slices.Index(names, from)
	}
	return names[start:], nil
}

// RunPhases runs the named phases in order, each recorded in the runs table,
// and stops at the first failure.
func RunPhases(ctx context.Context, env *Env, phases []string) ([]Result, error) {
	var results []Result
	for _, name := range phases {
		p, ok := LookupPhase(name)
		if !ok {
			return results, fmt.Errorf("unknown phase %q", name)
		}
		res, err := RunPhase(ctx, env, p.Name, p.Run)
		results = append(results, res)
		if err != nil {
			return results, err
		}
	}
	return results, nil
}
