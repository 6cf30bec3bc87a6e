package store

import (
	"testing"
)

// TestWriteAllIsOneTransaction: the statements of a writeAll are stored
// together, and none of them when one fails, however late.
func TestWriteAllIsOneTransaction(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e testEngine) {
		db := e.open(t)
		ctx := t.Context()
		label := func(name, state string) statement {
			return pullLabelStatement("o/r", 1, PullLabel{Label: name, GitHubLabel: name, State: state})
		}
		count := func() int {
			t.Helper()
			var n int
			if err := db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM bot_pull_labels`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		if err := db.writeAll(ctx, label("fix", PullLabelBotApplied), label("docs", PullLabelHumanAdded)); err != nil {
			t.Fatal(err)
		}
		if n := count(); n != 2 {
			t.Fatalf("%d labels stored, want 2", n)
		}
		// The schema refuses the last state.
		err := db.writeAll(ctx, label("feat", PullLabelBotApplied), label("test", PullLabelBotApplied), label("perf", "no such state"))
		if err == nil {
			t.Fatal("a refused statement did not fail its write")
		}
		if n := count(); n != 2 {
			t.Fatalf("%d labels stored after a failed write, want the 2 from before", n)
		}
		// The connection serves the next write.
		if err := db.writeAll(ctx, label("feat", PullLabelBotApplied)); err != nil {
			t.Fatal(err)
		}
		if n := count(); n != 3 {
			t.Fatalf("%d labels stored, want 3", n)
		}
	})
}
