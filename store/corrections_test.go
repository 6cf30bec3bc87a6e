package store

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestAddCorrectionValidates(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e testEngine) {
		db := e.open(t)
		ok := Correction{Repo: "octo/r", SHAs: []string{"a", "b"}, Label: "fix", Action: CorrectionAdded}
		tests := []struct {
			name   string
			modify func(*Correction)
			want   string // error substring; "" for success
		}{
			{"valid", func(*Correction) {}, ""},
			{"no repo", func(c *Correction) { c.Repo = "" }, "repository is empty"},
			{"no label", func(c *Correction) { c.Label = "" }, "label is empty"},
			{"bad action", func(c *Correction) { c.Action = "renamed" }, `action "renamed"`},
			{"no sha", func(c *Correction) { c.SHAs = nil }, "no commit"},
			{"empty sha", func(c *Correction) { c.SHAs = []string{"c", ""} }, "empty commit SHA"},
		}
		for _, tt := range tests {
			c := ok
			tt.modify(&c)
			err := db.AddCorrection(context.Background(), c)
			if (err == nil) != (tt.want == "") || (err != nil && !strings.Contains(err.Error(), tt.want)) {
				t.Errorf("%s: err = %v, want %q", tt.name, err, tt.want)
			}
		}
		// The failed "empty sha" correction stored nothing, not even its first SHA.
		cs, err := db.Corrections(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(cs) != 2 {
			t.Fatalf("stored %d rows, want 2 (one per SHA of the valid correction)", len(cs))
		}
	})
}

func TestCorrectionsOrderAndCommitIDs(t *testing.T) {
	ctx := context.Background()
	forEachEngine(t, func(t *testing.T, e testEngine) {
		db := e.open(t)
		written := []Commit{{SHA: "s1", AuthoredAt: "2024-01-01T00:00:00Z", Subject: "x"}}
		insertCommits(t, db, "octo/r", written)
		commitID := written[0].ID
		base := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
		for _, c := range []Correction{
			// Inserted out of time order, with a whole second and a fractional one,
			// which order wrongly as variable-width text.
			{Repo: "octo/r", SHAs: []string{"s1"}, Label: "fix", Action: CorrectionRemoved, CreatedAt: base.Add(1500 * time.Millisecond)},
			{Repo: "octo/r", SHAs: []string{"s1"}, Label: "fix", Action: CorrectionAdded, CreatedAt: base.Add(time.Second)},
			{Repo: "octo/r", SHAs: []string{"unknown"}, Label: "feat", Action: CorrectionAdded, CreatedAt: base},
		} {
			if err := db.AddCorrection(ctx, c); err != nil {
				t.Fatal(err)
			}
		}
		cs, err := db.Corrections(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(cs) != 3 {
			t.Fatalf("got %d corrections", len(cs))
		}
		if cs[0].SHA != "s1" || cs[0].Action != CorrectionAdded || cs[1].Action != CorrectionRemoved || cs[0].CommitID != commitID {
			t.Errorf("commit s1 corrections out of order or unresolved: %+v", cs[:2])
		}
		if !cs[1].CreatedAt.Equal(base.Add(1500 * time.Millisecond)) {
			t.Errorf("time %v lost precision", cs[1].CreatedAt)
		}
		if cs[2].SHA != "unknown" || cs[2].CommitID != 0 {
			t.Errorf("unextracted commit: %+v, want CommitID 0", cs[2])
		}
	})
}
