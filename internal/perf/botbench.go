package perf

import (
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
)

// botReport is the part of `bot bench --json` the table shows. Its keys are
// the adapter to that command's output: the one place to change if they move.
type botReport struct {
	Intake struct {
		PerSecond float64 `json:"deliveries_per_second"`
		P50ms     float64 `json:"p50_ms"`
		P99ms     float64 `json:"p99_ms"`
	} `json:"intake"`
	EndToEnd struct {
		PerSecond float64 `json:"deliveries_per_second"`
		P50ms     float64 `json:"p50_ms"`
		P99ms     float64 `json:"p99_ms"`
	} `json:"end_to_end"`
}

// botRows runs `bot bench --json` when the bot binary has that command and
// turns its report into rows; otherwise one row says it is not available.
func botRows(ctx context.Context, bot string) ([]Row, error) {
	if exec.CommandContext(ctx, bot, "bench", "--help").Run() != nil {
		return []Row{{What: "webhook intake and end-to-end labeling", Result: "bot bench not available",
			Note: fmt.Sprintf("%s has no `bench` command", bot)}}, nil
	}
	out, err := exec.CommandContext(ctx, bot, "bench", "--json").Output()
	if err != nil {
		return nil, fmt.Errorf("perf: %s bench --json: %w", bot, err)
	}
	var rep botReport
	if err := json.Unmarshal(out, &rep); err != nil {
		return nil, fmt.Errorf("perf: %s bench --json: %w", bot, err)
	}
	row := func(what string, perSecond, p50, p99 float64) Row {
		return Row{What: what, Result: fmt.Sprintf("%.0f deliveries/s; p50 %.1f ms, p99 %.1f ms", perSecond, p50, p99), Note: "`bot bench --json`"}
	}
	return []Row{
		row("webhook intake (signed delivery → stored, 202)", rep.Intake.PerSecond, rep.Intake.P50ms, rep.Intake.P99ms),
		row("end-to-end labeling (delivery → labels on the fake GitHub)", rep.EndToEnd.PerSecond, rep.EndToEnd.P50ms, rep.EndToEnd.P99ms),
	}, nil
}
