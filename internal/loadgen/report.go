package loadgen

import (
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"text/tabwriter"
	"time"
)

// Row is one target at one rate in the report; its JSON keys are what
// `bench bot --json` promises (other tools read them).
type Row struct {
	Target string `json:"target"`
	// Engine is the bot's database ("sqlite", "postgres"), Replicas how
	// many bots shared the load.
	Engine         string  `json:"engine,omitempty"`
	Replicas       int     `json:"replicas"`
	OfferedPerSec  int     `json:"offered_per_s"`
	Sent           int     `json:"sent"`
	Accepted       int     `json:"accepted"`
	AcceptedPerSec float64 `json:"accepted_per_s"`
	P50Ms          float64 `json:"p50_ms"`
	P99Ms          float64 `json:"p99_ms"`
	MaxMs          float64 `json:"max_ms"`
	Errors         int     `json:"errors"`
	FirstError     string  `json:"first_error,omitempty"`
	// CPUMsPerDelivery is the server's CPU time from the first send to the
	// last answer per accepted delivery, both cores counted (the bot's
	// includes the jobs it worked meanwhile); 0 when unknown.
	CPUMsPerDelivery float64 `json:"cpu_ms_per_delivery"`
	// End to end (the bot only): pull requests labeled, per second from
	// the step's first send to the last first label, and extra "add
	// labels" calls.
	Labeled         *int     `json:"labeled,omitempty"`
	LabeledPerSec   *float64 `json:"labeled_per_s,omitempty"`
	DuplicateLabels *int     `json:"duplicate_labels,omitempty"`
	// CPUMsPerLabeled is the bot's CPU time from the first send until the
	// last label per labeled pull request.
	CPUMsPerLabeled *float64 `json:"cpu_ms_per_labeled,omitempty"`
}

// NewRow summarises a step, with its labeling when l is not nil.
func NewRow(st Step, l *Labeling) Row {
	r := Row{
		Target: st.Target, Engine: st.Engine, Replicas: st.Replicas, OfferedPerSec: st.Rate, Sent: st.Sent, Accepted: st.Accepted,
		AcceptedPerSec: float64(st.Accepted) / st.Elapsed.Seconds(),
		P50Ms:          ms(st.Latencies.Quantile(0.50)), P99Ms: ms(st.Latencies.Quantile(0.99)), MaxMs: ms(st.Latencies.Max()),
		Errors: st.Errors, FirstError: st.FirstError, CPUMsPerDelivery: perItem(st.CPU, st.Accepted),
	}
	if l != nil {
		perSec, cpu := l.PerSecond(), perItem(l.CPU, l.Labeled)
		r.Labeled, r.LabeledPerSec, r.DuplicateLabels, r.CPUMsPerLabeled = &l.Labeled, &perSec, &l.Duplicates, &cpu
	}
	return r
}

// Label names the row's target in the table: "bot sqlite×1",
// "bot postgres×2", "probot".
func (r Row) Label() string {
	if r.Engine == "" {
		return r.Target
	}
	return fmt.Sprintf("%s %s×%d", r.Target, r.Engine, r.Replicas)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// perItem returns d in milliseconds per item, 0 when there are none.
func perItem(d time.Duration, n int) float64 {
	if n == 0 {
		return 0
	}
	return ms(d) / float64(n)
}

// Report is a whole run.
type Report struct {
	CPUs          int     `json:"cpus"`
	DurationSec   float64 `json:"duration_s"`
	BotArgs       string  `json:"bot_args"`
	ProbotError   string  `json:"probot_error,omitempty"`
	ProbotVersion string  `json:"probot_version,omitempty"`
	PostgresError string  `json:"postgres_error,omitempty"`
	Rows          []Row   `json:"rows"`
}

// NewReport starts a report of steps lasting d.
func NewReport(d time.Duration, botArgs string) *Report {
	return &Report{CPUs: runtime.NumCPU(), DurationSec: d.Seconds(), BotArgs: botArgs}
}

// WriteJSON writes the report as one JSON object.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteTable writes one line per target and rate, then at each rate the
// bot on SQLite against Probot, and the bots on PostgreSQL against the bot
// on SQLite.
func (r *Report) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "target\toffered/s\taccepted/s\tp50 ms\tp99 ms\tmax ms\terrors\tCPU ms/delivery\tlabeled PRs/s\tlabeled\tduplicates\tCPU ms/PR\t")
	for _, row := range r.Rows {
		labeledPerSec, labeled, dup, cpu := "-", "-", "-", "-"
		if row.Labeled != nil {
			labeledPerSec = fmt.Sprintf("%.0f", *row.LabeledPerSec)
			labeled = fmt.Sprintf("%d/%d", *row.Labeled, row.Accepted)
			dup = fmt.Sprint(*row.DuplicateLabels)
			cpu = fmt.Sprintf("%.2f", *row.CPUMsPerLabeled)
		}
		fmt.Fprintf(tw, "%s\t%d\t%.0f\t%.1f\t%.1f\t%.1f\t%d\t%.2f\t%s\t%s\t%s\t%s\t\n", row.Label(), row.OfferedPerSec,
			row.AcceptedPerSec, row.P50Ms, row.P99Ms, row.MaxMs, row.Errors, row.CPUMsPerDelivery, labeledPerSec, labeled, dup, cpu)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, row := range r.Rows {
		base, ok := r.sqliteBot(row.OfferedPerSec)
		if !ok || row.AcceptedPerSec == 0 || row.P99Ms == 0 {
			continue
		}
		switch {
		case row.Target == "probot": // the reference the bot is held to
			fmt.Fprintf(w, "%s / probot at %d/s: accepted %.2f×, p99 %.2f×\n", base.Label(), row.OfferedPerSec,
				base.AcceptedPerSec/row.AcceptedPerSec, base.P99Ms/row.P99Ms)
		case row.Engine == "postgres":
			fmt.Fprintf(w, "%s / %s at %d/s: accepted %.2f×, p99 %.2f×%s\n", row.Label(), base.Label(), row.OfferedPerSec,
				row.AcceptedPerSec/base.AcceptedPerSec, row.P99Ms/base.P99Ms, labeledRatio(row, base))
		}
	}
	for _, row := range r.Rows {
		if row.FirstError != "" {
			fmt.Fprintf(w, "%s at %d/s: first error: %s\n", row.Label(), row.OfferedPerSec, row.FirstError)
		}
	}
	if r.ProbotError != "" {
		fmt.Fprintf(w, "probot not run: %s\n", r.ProbotError)
	}
	if r.PostgresError != "" {
		fmt.Fprintf(w, "PostgreSQL not run: %s\n", r.PostgresError)
	}
	return nil
}

// sqliteBot is the row of the bot on SQLite at rate, the row every other
// target is compared with.
func (r *Report) sqliteBot(rate int) (Row, bool) {
	for _, b := range r.Rows {
		if b.Target == "bot" && b.Engine == "sqlite" && b.OfferedPerSec == rate && b.AcceptedPerSec > 0 && b.P99Ms > 0 {
			return b, true
		}
	}
	return Row{}, false
}

// labeledRatio is ", labeled/s N×" when both rows were labeled.
func labeledRatio(row, base Row) string {
	if row.LabeledPerSec == nil || base.LabeledPerSec == nil || *base.LabeledPerSec == 0 {
		return ""
	}
	return fmt.Sprintf(", labeled/s %.2f×", *row.LabeledPerSec / *base.LabeledPerSec)
}
