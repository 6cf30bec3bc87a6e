package perf

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"

	"github.com/commit-labeler/commit-labeler/internal/loadgen"
)

// botRows runs `bench bot --json` against the bot binary when there is
// one and turns its report into rows, one per rate: the bot's intake
// beside the minimal Probot app's at the same rate, and the bot's
// end-to-end labeling.
func botRows(ctx context.Context, bench, bot string) ([]Row, error) {
	if _, err := os.Stat(bot); err != nil {
		return []Row{{What: "webhook intake and end-to-end labeling", Result: "bot not built",
			Note: fmt.Sprintf("no bot binary: %v", err)}}, nil
	}
	out, err := exec.CommandContext(ctx, bench, "bot", "--json", "--bot", bot).Output()
	if err != nil {
		return nil, fmt.Errorf("perf: %s bot --json: %w", bench, err)
	}
	var rep loadgen.Report
	if err := json.Unmarshal(out, &rep); err != nil {
		return nil, fmt.Errorf("perf: %s bot --json: %w", bench, err)
	}
	probot, sqlite := map[int]loadgen.Row{}, map[int]loadgen.Row{}
	for _, r := range rep.Rows {
		switch {
		case r.Target == "probot":
			probot[r.OfferedPerSec] = r
		case r.Engine == "sqlite":
			sqlite[r.OfferedPerSec] = r
		}
	}
	answers := func(r loadgen.Row) string {
		return fmt.Sprintf("%.0f accepted/s; p50 %.1f ms, p99 %.1f ms, max %.0f ms; %d errors", r.AcceptedPerSec, r.P50Ms, r.P99Ms, r.MaxMs, r.Errors)
	}
	var rows []Row
	for _, r := range rep.Rows {
		if r.Engine == "postgres" {
			rows = append(rows, postgresRow(r, sqlite[r.OfferedPerSec], answers))
			continue
		}
		if r.Target != "bot" {
			continue
		}
		intake := Row{What: fmt.Sprintf("webhook intake at %d deliveries/s offered", r.OfferedPerSec), Result: answers(r),
			Note: "stored durably before the 202; `bench bot --json`"}
		if p, ok := probot[r.OfferedPerSec]; ok && p.AcceptedPerSec > 0 {
			intake.Reference = "minimal Probot app: " + answers(p)
			intake.Note = fmt.Sprintf("%.2f× Probot's accepted/s; stored durably before the 202", r.AcceptedPerSec/p.AcceptedPerSec)
		} else if rep.ProbotError != "" {
			intake.Reference = "Probot not run: " + rep.ProbotError
		}
		rows = append(rows, intake)
		if r.Labeled != nil {
			rows = append(rows, Row{What: fmt.Sprintf("end-to-end labeling at %d deliveries/s offered", r.OfferedPerSec),
				Result: fmt.Sprintf("%.0f pull requests/s labeled; %d of %d labeled, %d twice", *r.LabeledPerSec, *r.Labeled, r.Sent, *r.DuplicateLabels),
				Note:   fmt.Sprintf("%.1f bot CPU ms per pull request", *r.CPUMsPerLabeled)})
		}
	}
	return rows, nil
}

// postgresRow is a step of bots sharing one PostgreSQL database, against
// the bot on SQLite at the same rate.
func postgresRow(r, sqlite loadgen.Row, answers func(loadgen.Row) string) Row {
	row := Row{What: fmt.Sprintf("%d bot(s) on one PostgreSQL at %d deliveries/s offered", r.Replicas, r.OfferedPerSec),
		Result: answers(r), Note: "`bench bot --postgres`; the PostgreSQL server's own CPU is not counted"}
	if r.Labeled != nil {
		row.Result += fmt.Sprintf("; %.0f pull requests/s labeled, %d of %d, %d twice", *r.LabeledPerSec, *r.Labeled, r.Sent, *r.DuplicateLabels)
	}
	if sqlite.AcceptedPerSec > 0 && sqlite.P99Ms > 0 {
		row.Reference = "one bot on SQLite: " + answers(sqlite)
		row.Note = fmt.Sprintf("%.2f× SQLite's accepted/s, %.2f× its p99; ", r.AcceptedPerSec/sqlite.AcceptedPerSec, r.P99Ms/sqlite.P99Ms) + row.Note
	}
	return row
}
