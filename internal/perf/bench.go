package perf

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/commit-labeler/commit-labeler/classify"
	"github.com/commit-labeler/commit-labeler/models"
	"github.com/commit-labeler/commit-labeler/pipeline"
)

// Sections are the parts of the table, in the order they run.
var Sections = []string{"extract", "import", "train", "curve", "classify", "bot"}

// QuickExamples is the training subset of a --quick run.
const QuickExamples = 10_000

// CurveSizes are the training subsets of the default kind's cost curve
// (the whole corpus is the last point).
var CurveSizes = []int{10_000, 20_000, 40_000}

// TrainedKinds are the kinds trained on the whole corpus; their ensemble
// is trained too.
var TrainedKinds = []string{classify.KindTfidfLogreg, classify.KindEmbedBag}

// Config says what a bench run measures.
type Config struct {
	// Train, Bench and Bot are the paths of the train, bench and bot
	// binaries: import and training run as child processes of Train, so
	// that each peak memory is its own; the webhook rows are Bench's
	// `bench bot --json` driving Bot.
	Train, Bench, Bot string
	// Corpus is a JSONL(.gz) file in the format of docs/corpus.md.
	Corpus string
	// Work keeps the store and models (a temporary directory when empty).
	Work string
	// Quick trains on QuickExamples commits, skips the cost curve and
	// measures classification briefly.
	Quick bool
	// Sections are the sections to run (all when empty).
	Sections []string
	// ExtractCommits is the size of the generated extract repository.
	ExtractCommits int
	// Progress receives a line per measurement as it starts.
	Progress io.Writer
}

// Row is a line of the table: a measurement beside its reference measured
// in the same run.
type Row struct {
	What, Result, Reference, Note string
}

// Run measures the sections of cfg and writes the table as markdown to out.
func Run(ctx context.Context, cfg Config, out io.Writer) error {
	for _, s := range cfg.Sections {
		if !slices.Contains(Sections, s) {
			return fmt.Errorf("perf: unknown section %q (want %s)", s, strings.Join(Sections, ", "))
		}
	}
	if len(cfg.Sections) == 0 {
		cfg.Sections = Sections
	}
	if cfg.ExtractCommits == 0 {
		cfg.ExtractCommits = ExtractCommits
	}
	if cfg.Progress == nil {
		cfg.Progress = io.Discard
	}
	if cfg.Work == "" {
		dir, err := os.MkdirTemp("", "commit-labeler-bench")
		if err != nil {
			return fmt.Errorf("perf: %w", err)
		}
		defer os.RemoveAll(dir)
		cfg.Work = dir
	}
	b := &bench{cfg: cfg, db: filepath.Join(cfg.Work, "corpus.db")}
	steps := map[string]func(context.Context) ([]Row, error){
		"extract": b.extract, "import": b.importCorpus, "train": b.train,
		"curve": b.curve, "classify": b.classify, "bot": func(ctx context.Context) ([]Row, error) { return botRows(ctx, cfg.Bench, cfg.Bot) },
	}
	var rows []Row
	for _, s := range Sections {
		if !slices.Contains(cfg.Sections, s) {
			continue
		}
		r, err := steps[s](ctx)
		if err != nil {
			return err
		}
		rows = append(rows, r...)
	}
	return writeTable(out, rows)
}

// bench is one run's state: the store imported and the models trained are
// what the later sections measure.
type bench struct {
	cfg      Config
	db       string
	imported bool
	// models are the trained model directories by kind, in training order.
	models     []trainedModel
	fullCorpus pipeline.Counts // the counts of the default kind's training
	fullUsage  Usage
}

type trainedModel struct{ kind, dir string }

func (b *bench) progress(format string, args ...any) {
	fmt.Fprintf(b.cfg.Progress, "bench: "+format+"\n", args...)
}

func (b *bench) extract(ctx context.Context) ([]Row, error) {
	b.progress("extract: %d-commit repository from the Go source tree", b.cfg.ExtractCommits)
	repo, err := GoSourceRepository(b.cfg.ExtractCommits)
	if errors.Is(err, ErrNoGoSource) {
		return []Row{{What: "extract", Result: "not measured", Note: err.Error()}}, nil
	}
	if err != nil {
		return nil, err
	}
	c, err := CompareExtract(ctx, repo, filepath.Join(b.cfg.Work, "extract"))
	if err != nil {
		return nil, err
	}
	return []Row{{
		What:      fmt.Sprintf("extract of a %s-commit repository built from the Go source tree", thousands(c.Commits)),
		Result:    fmt.Sprintf("%s commits/s (%.1f s)", thousands(int(c.ExtractPerSecond())), c.Extract.Seconds()),
		Reference: fmt.Sprintf("`git log --no-merges -p -U1 -M --numstat`: %s commits/s (%.1f s)", thousands(int(c.GitPerSecond())), c.Git.Seconds()),
		Note:      fmt.Sprintf("%.2f× plain git; extract also parses and writes SQLite", c.Git.Seconds()/c.Extract.Seconds()),
	}}, nil
}

func (b *bench) importCorpus(ctx context.Context) ([]Row, error) {
	b.progress("import %s", b.cfg.Corpus)
	os.Remove(b.db)
	u, counts, err := RunPhaseCommand(ctx, b.cfg.Train, "import", "--db", b.db, b.cfg.Corpus)
	if err != nil {
		return nil, err
	}
	b.imported = true
	n := counts[pipeline.CountImported]
	return []Row{{
		What:   fmt.Sprintf("import of %s records (`%s`)", thousands(int(n)), filepath.Base(b.cfg.Corpus)),
		Result: u.String(),
		Note:   fmt.Sprintf("%s records/s; `train import` in its own process", thousands(int(float64(n)/u.Wall.Seconds()))),
	}}, nil
}

// trainArgs are the arguments of `train train` for kinds into out.
func (b *bench) trainArgs(kinds []string, out string, limit int) []string {
	args := []string{"train", "--db", b.db, "--model", strings.Join(kinds, ","), "--out", out}
	if limit > 0 {
		args = append(args, "--max-examples", strconv.Itoa(limit))
	}
	return args
}

func (b *bench) needImport(section string) error {
	if !b.imported {
		return fmt.Errorf("perf: section %s needs the import section", section)
	}
	return nil
}

func (b *bench) train(ctx context.Context) ([]Row, error) {
	if err := b.needImport("train"); err != nil {
		return nil, err
	}
	limit := 0
	if b.cfg.Quick {
		limit = QuickExamples
	}
	var rows []Row
	for _, kind := range TrainedKinds {
		out := filepath.Join(b.cfg.Work, "models", kind)
		b.progress("train %s", kind)
		u, counts, err := RunPhaseCommand(ctx, b.cfg.Train, b.trainArgs([]string{kind}, out, limit)...)
		if err != nil {
			return nil, err
		}
		if kind == pipeline.DefaultModelKind {
			b.fullCorpus, b.fullUsage = counts, u
		}
		b.models = append(b.models, trainedModel{kind, filepath.Join(out, kind)})
		rows = append(rows, Row{What: fmt.Sprintf("training %s on %s commits", kind, thousands(int(counts[pipeline.CountExamples]))),
			Result: u.String(), Note: "4 threshold folds + final fit; own process"})
	}
	out := filepath.Join(b.cfg.Work, "models", classify.KindEnsemble)
	b.progress("train %s of %s", classify.KindEnsemble, strings.Join(TrainedKinds, " + "))
	u, counts, err := RunPhaseCommand(ctx, b.cfg.Train, b.trainArgs(TrainedKinds, out, limit)...)
	if err != nil {
		return nil, err
	}
	b.models = append(b.models, trainedModel{classify.KindEnsemble, filepath.Join(out, classify.KindEnsemble)})
	rows = append(rows, Row{What: fmt.Sprintf("training the ensemble of %s on %s commits", strings.Join(TrainedKinds, " + "), thousands(int(counts[pipeline.CountExamples]))),
		Result: u.String(), Note: "one `train --model " + strings.Join(TrainedKinds, ",") + "` process: its members are trained again in it"})
	enc, err := b.encoderKinds(ctx)
	return append(rows, enc...), err
}

func (b *bench) curve(ctx context.Context) ([]Row, error) {
	if b.cfg.Quick {
		return []Row{{What: "training cost curve of " + pipeline.DefaultModelKind, Result: "skipped (--quick)"}}, nil
	}
	if err := b.needImport("curve"); err != nil {
		return nil, err
	}
	kind := pipeline.DefaultModelKind
	var points []CurvePoint
	for _, size := range CurveSizes {
		p, err := b.fastestTraining(ctx, kind, size, CurvePoint{})
		if err != nil {
			return nil, err
		}
		points = append(points, p)
	}
	if b.fullCorpus != nil {
		p, err := b.fastestTraining(ctx, kind, 0, CurvePoint{b.fullCorpus[pipeline.CountExamples], b.fullUsage})
		if err != nil {
			return nil, err
		}
		points = append(points, p)
	}
	return CurveRows(kind, points), nil
}

// sampleName names a training sample of size commits (0: all).
func sampleName(size int) string {
	if size == 0 {
		return "the whole corpus"
	}
	return thousands(size) + " commits"
}

// curveRuns is how many times each point of the cost curve is trained:
// the fastest run counts, as single timings of 10 to 40 s on two shared
// cores vary by ±15%.
const curveRuns = 3

// fastestTraining trains kind on size commits (all when 0) until it has
// curveRuns timings, counting done (when its N is set) as one of them,
// and returns the fastest.
func (b *bench) fastestTraining(ctx context.Context, kind string, size int, done CurvePoint) (CurvePoint, error) {
	best, runs := done, 0
	if done.N > 0 {
		runs = 1
	}
	for ; runs < curveRuns; runs++ {
		b.progress("train %s on %s (run %d of %d)", kind, sampleName(size), runs+1, curveRuns)
		u, counts, err := RunPhaseCommand(ctx, b.cfg.Train, b.trainArgs([]string{kind}, filepath.Join(b.cfg.Work, "curve", strconv.Itoa(size)), size)...)
		if err != nil {
			return best, err
		}
		if best.N == 0 || u.Wall < best.U.Wall {
			best = CurvePoint{counts[pipeline.CountExamples], u}
		}
	}
	return best, nil
}

// CurvePoint is one training of the cost curve: N commits cost U.
type CurvePoint struct {
	N int64
	U Usage
}

// superlinear is how much slower than the line through the smaller
// samples the largest may train before the curve is not called linear.
const superlinear = 1.25

// CurveRows renders the cost curve. Each point shows its time per 1k
// commits and, from the second on, its marginal time per 1k commits (the
// extra time over the previous point per extra commit). The largest point
// is judged against the least-squares line through the others, extrapolated
// to its size: fixed costs make the small samples' marginal times say
// little alone (10k and 20k commits train in nearly the same time).
func CurveRows(kind string, points []CurvePoint) []Row {
	var rows []Row
	for i, p := range points {
		r := Row{What: fmt.Sprintf("cost curve: %s on %s commits", kind, thousands(int(p.N))), Result: p.U.String(),
			Reference: fmt.Sprintf("%.2f s per 1k commits", p.U.Wall.Seconds()/float64(p.N)*1000)}
		if i > 0 {
			prev := points[i-1]
			marginal := (p.U.Wall - prev.U.Wall).Seconds() / float64(p.N-prev.N) * 1000
			r.Reference += fmt.Sprintf("; marginal %.2f s per 1k", marginal)
		}
		if i == len(points)-1 && i >= 2 {
			predicted := extrapolate(points[:i], p.N)
			ratio := p.U.Wall.Seconds() / predicted
			verdict := "linear"
			if ratio > superlinear {
				verdict = "superlinear"
			}
			r.Note = fmt.Sprintf("%.2f× the %.1f s of the line through the smaller samples: %s", ratio, predicted, verdict)
		}
		rows = append(rows, r)
	}
	return rows
}

// extrapolate fits seconds = a + b·N to points by least squares and
// returns the fit at n.
func extrapolate(points []CurvePoint, n int64) float64 {
	var sn, st float64
	for _, p := range points {
		sn += float64(p.N)
		st += p.U.Wall.Seconds()
	}
	k := float64(len(points))
	meanN, meanT := sn/k, st/k
	var sxx, sxy float64
	for _, p := range points {
		dn := float64(p.N) - meanN
		sxx += dn * dn
		sxy += dn * (p.U.Wall.Seconds() - meanT)
	}
	return meanT + sxy/sxx*(float64(n)-meanN)
}

// classifyCommits is how many corpus commits the classification cycles through.
const classifyCommits = 2000

func (b *bench) classify(ctx context.Context) ([]Row, error) {
	if err := classify.InitRuntime(); err != nil {
		return nil, err
	}
	commits, err := ReadCommits(b.cfg.Corpus, classifyCommits)
	if err != nil {
		return nil, err
	}
	span := 3 * time.Second
	if b.cfg.Quick {
		span = 300 * time.Millisecond
	}
	shipped, err := models.DefaultDir()
	if err != nil {
		return nil, err
	}
	ref, err := b.classifyOne(ctx, trainedModel{"shipped default", shipped}, commits, span)
	if err != nil {
		return nil, err
	}
	var rows []Row
	for _, m := range b.models {
		r, err := b.classifyOne(ctx, m, commits, span)
		if err != nil {
			return nil, err
		}
		rows = append(rows, Row{What: "classification, " + m.kind, Result: r, Reference: "shipped default model: " + ref,
			Note: fmt.Sprintf("one commit at a time on one goroutine; batches of %d", BatchSize)})
	}
	if len(rows) == 0 {
		rows = append(rows, Row{What: "classification, shipped default model", Result: ref,
			Note: fmt.Sprintf("one commit at a time on one goroutine; batches of %d", BatchSize)})
	}
	return rows, nil
}

// classifyOne measures the model in dir single-threaded and batched.
func (b *bench) classifyOne(ctx context.Context, m trainedModel, commits []classify.Commit, span time.Duration) (string, error) {
	b.progress("classify with %s", m.kind)
	c, err := classify.LoadClassifier(m.dir)
	if err != nil {
		return "", err
	}
	defer c.Close()
	// The first call pays for lazy initialisation (an ensemble opens its
	// members' sessions): not a per-commit cost.
	if _, err := c.Classify(ctx, commits[:1]); err != nil {
		return "", fmt.Errorf("perf: classify with %s: %w", m.dir, err)
	}
	lat, err := Latencies(ctx, c, commits, For(span))
	if err != nil {
		return "", fmt.Errorf("perf: classify with %s: %w", m.dir, err)
	}
	rate, err := Batched(ctx, c, commits, For(span))
	if err != nil {
		return "", fmt.Errorf("perf: classify with %s: %w", m.dir, err)
	}
	return fmt.Sprintf("p50 %s, p99 %s; batched %s commits/s", micro(Percentile(lat, 50)), micro(Percentile(lat, 99)), thousands(int(rate))), nil
}

func micro(d time.Duration) string {
	if d >= time.Millisecond {
		return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%d µs", d.Microseconds())
}

// thousands renders n with comma thousands separators.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// writeTable writes rows as a markdown table.
func writeTable(w io.Writer, rows []Row) error {
	var sb strings.Builder
	sb.WriteString("| measurement | result | reference, same run | note |\n|---|---|---|---|\n")
	for _, r := range rows {
		fmt.Fprintf(&sb, "| %s | %s | %s | %s |\n", cell(r.What), cell(r.Result), cell(r.Reference), cell(r.Note))
	}
	_, err := io.WriteString(w, sb.String())
	return err
}

// cell is s escaped for a table cell, "—" when empty.
func cell(s string) string {
	if s == "" {
		return "—"
	}
	return strings.ReplaceAll(s, "|", `\|`)
}
