package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/commit-labeler/commit-labeler/classify"
	"github.com/commit-labeler/commit-labeler/learnjob"
	"github.com/commit-labeler/commit-labeler/pipeline"
	"github.com/commit-labeler/commit-labeler/store"
)

func isPhaseCommand(name string) bool {
	_, ok := pipeline.LookupPhase(name)
	return ok && name != pipeline.PhaseLearn
}

// openEnv opens the store and builds the phase environment.
func openEnv(ctx context.Context, c *commonFlags, opts pipeline.Options, stderr io.Writer) (*pipeline.Env, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.logLevel)); err != nil {
		return nil, usageErrorf("--log-level %q: %v", c.logLevel, err)
	}
	db, err := store.Open(ctx, c.db)
	if err != nil {
		return nil, fmt.Errorf("--db %s: %w", c.db, err)
	}
	return &pipeline.Env{
		DB:       db,
		Options:  opts,
		Log:      slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level})),
		Progress: pipeline.StderrProgress(5 * time.Second),
	}, nil
}

// runReport is the JSON result of run and of the phase commands.
type runReport struct {
	Phases []pipeline.Result `json:"phases"`
	Error  string            `json:"error,omitempty"`
}

func runPhasesCommand(ctx context.Context, cmd string, args []string, stdout, stderr io.Writer) error {
	fs, pf := newPhaseFlagSet(cmd, stderr, cmd == "run")
	positional, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(positional) > 0 {
		return usageErrorf("unexpected argument %q (repositories go in --repo)", positional[0])
	}
	if err := pf.validate(); err != nil {
		return err
	}
	phases := []string{cmd}
	if cmd == "run" {
		if phases, err = pipeline.SelectPhases(pf.only, pf.from); err != nil {
			return usageErrorf("%v", err)
		}
	}
	env, err := openEnv(ctx, pf.commonFlags, pf.opts, stderr)
	if err != nil {
		return err
	}
	defer env.DB.Close()

	results, runErr := pipeline.RunPhases(ctx, env, phases)
	return reportRuns(stdout, pf.json, results, runErr)
}

// reportRuns prints the phase runs' results and returns the error that
// ended them, if any.
func reportRuns(w io.Writer, asJSON bool, results []pipeline.Result, runErr error) error {
	rep := runReport{Phases: results}
	if runErr != nil {
		rep.Error = runErr.Error()
	}
	if err := printReport(w, asJSON, rep); err != nil {
		return err
	}
	return runErr
}

// printReport prints one summary line per phase, or the report as one JSON
// object.
func printReport(w io.Writer, asJSON bool, rep runReport) error {
	if asJSON {
		return json.NewEncoder(w).Encode(rep)
	}
	for _, r := range rep.Phases {
		fmt.Fprintln(w, summaryLine(r))
	}
	return nil
}

// summaryLine renders a phase result on one line: "extract ok 1.2s added=200 skipped=0".
func summaryLine(r pipeline.Result) string {
	keys := make([]string, 0, len(r.Counts))
	for k := range r.Counts {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	fmt.Fprintf(&b, "%-8s %-9s %8s", r.Phase, r.Status, r.Duration.Round(time.Millisecond))
	for _, k := range keys {
		fmt.Fprintf(&b, " %s=%d", k, r.Counts[k])
	}
	if r.Error != "" {
		fmt.Fprintf(&b, " error=%q", r.Error)
	}
	return b.String()
}

func importCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, common := newCommonFlagSet("import", stderr)
	files, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return usageErrorf("no FILE.jsonl[.gz] given")
	}
	env, err := openEnv(ctx, common, pipeline.DefaultOptions(), stderr)
	if err != nil {
		return err
	}
	defer env.DB.Close()
	var results []pipeline.Result
	var runErr error
	for _, f := range files {
		res, err := pipeline.RunPhase(ctx, env, "import", func(ctx context.Context, env *pipeline.Env) (pipeline.Counts, error) {
			return pipeline.Import(ctx, env, f)
		})
		results = append(results, res)
		if err != nil {
			runErr = fmt.Errorf("%s: %w", f, err)
			break
		}
	}
	return reportRuns(stdout, common.json, results, runErr)
}

func runsCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, common := newCommonFlagSet("runs", stderr)
	limit := fs.Int("limit", 20, "show the N most recent runs")
	if _, err := parseInterleaved(fs, args); err != nil {
		return err
	}
	env, err := openEnv(ctx, common, pipeline.DefaultOptions(), stderr)
	if err != nil {
		return err
	}
	defer env.DB.Close()
	runs, err := env.DB.Runs(ctx, *limit)
	if err != nil {
		return err
	}
	jobs, err := learnJobs(ctx, env.DB, *limit)
	if err != nil {
		return err
	}
	figures := make([]string, len(runs))
	for i, r := range runs {
		if figures[i], err = learnRunFigures(ctx, env.DB, r); err != nil {
			return err
		}
	}
	if common.json {
		type runJSON struct {
			store.Run
			Model string `json:"model,omitempty"`
		}
		out := make([]runJSON, len(runs))
		for i, r := range runs {
			out[i] = runJSON{r, figures[i]}
		}
		return json.NewEncoder(stdout).Encode(map[string]any{"runs": out, "learn_jobs": jobs})
	}
	for i, r := range runs {
		fmt.Fprintln(stdout, summaryLine(pipeline.Result{Phase: fmt.Sprintf("#%d %s", r.ID, r.Phase), Status: r.Status,
			Counts: pipeline.Counts(r.Counts), Duration: r.Duration, Error: r.Error}))
		if figures[i] != "" {
			fmt.Fprintf(stdout, "         %s\n", figures[i])
		}
	}
	if len(jobs) > 0 {
		fmt.Fprintln(stdout, "learn jobs:")
	}
	for _, j := range jobs {
		fmt.Fprintf(stdout, "#%d %-10s %-30s attempt %d/%d requested for %s at %s", j.ID, j.State, j.Repo, j.Attempt, j.MaxAttempts,
			j.Reason, j.CreatedAt.UTC().Format(time.RFC3339))
		if j.Stranded != "" {
			fmt.Fprintf(stdout, " STRANDED: %s", j.Stranded)
		}
		if j.LastError != "" {
			fmt.Fprintf(stdout, " last error=%q", j.LastError)
		}
		fmt.Fprintln(stdout)
	}
	return nil
}

// learnJobs lists up to limit learn jobs, newest first, as learnjob.Statuses
// sees them, with the workers of the last day.
func learnJobs(ctx context.Context, db *store.DB, limit int) ([]learnjob.Status, error) {
	if err := db.MigrateRiver(ctx, slog.New(slog.DiscardHandler)); err != nil {
		return nil, err
	}
	rows, err := db.RiverJobs(ctx, learnjob.Kind, store.AllRepos, limit)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	workers, err := db.Workers(ctx, now.Add(-24*time.Hour))
	if err != nil {
		return nil, err
	}
	return learnjob.Statuses(rows, workers, now), nil
}

// learnRunFigures is, for a learn run that published or kept a version,
// that model's figures and verdict (learnjob.Figures); "" for other runs.
func learnRunFigures(ctx context.Context, db *store.DB, r store.Run) (string, error) {
	repo, _ := r.Params["repo"].(string)
	version := int(r.Counts[pipeline.CountVersion])
	if r.Phase != pipeline.PhaseLearn || repo == "" || version == 0 {
		return "", nil
	}
	m, ok, err := db.RepositoryModel(ctx, repo, version)
	if err != nil || !ok {
		return "", err
	}
	var l classify.Learned
	if err := json.Unmarshal(m.Report, &l); err != nil {
		return "", fmt.Errorf("model v%d of %s: report: %w", version, repo, err)
	}
	return fmt.Sprintf("%s v%d %s", repo, version, learnjob.Figures(&l)), nil
}
