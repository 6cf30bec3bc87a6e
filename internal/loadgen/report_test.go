package loadgen

import (
	"strings"
	"testing"
)

// TestWriteTableComparesWithTheBotOnSQLite: Probot and the bots on
// PostgreSQL are each compared with the bot on SQLite at the same rate.
func TestWriteTableComparesWithTheBotOnSQLite(t *testing.T) {
	labeled := func(perSec float64) *float64 { return &perSec }
	n, zero := 100, 0
	row := func(target, engine string, replicas, rate int, accepted, p99 float64, perSec *float64) Row {
		r := Row{Target: target, Engine: engine, Replicas: replicas, OfferedPerSec: rate, AcceptedPerSec: accepted, P99Ms: p99, LabeledPerSec: perSec}
		if perSec != nil {
			r.Labeled, r.DuplicateLabels, r.CPUMsPerLabeled = &n, &zero, labeled(1)
		}
		return r
	}
	r := &Report{PostgresError: "initdb not found", Rows: []Row{
		row("bot", "sqlite", 1, 500, 500, 10, labeled(400)),
		row("bot", "postgres", 2, 500, 250, 40, labeled(100)),
		row("probot", "", 1, 500, 250, 20, nil),
		row("bot", "postgres", 1, 1000, 900, 50, labeled(800)), // no SQLite row at 1000/s
	}}
	var out strings.Builder
	if err := r.WriteTable(&out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"bot postgres×2 / bot sqlite×1 at 500/s: accepted 0.50×, p99 4.00×, labeled/s 0.25×\n",
		"bot sqlite×1 / probot at 500/s: accepted 2.00×, p99 0.50×\n",
		"PostgreSQL not run: initdb not found\n",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "at 1000/s:") {
		t.Errorf("a ratio without a SQLite row to compare with:\n%s", out.String())
	}
}
