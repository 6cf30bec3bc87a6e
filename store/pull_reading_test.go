package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestPullReading: a repository's pull requests start unread; storing
// their labelings records how far the reading got, in the same
// transaction, and a failed batch records nothing.
func TestPullReading(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e testEngine) {
		db := e.open(t)
		ctx := context.Background()
		a := []Commit{summaryCommit(0, 100, false)}
		insertCommits(t, db, "o/a", a)
		if r, err := db.PullReading(ctx, "o/a"); err != nil || r != (PullReading{}) {
			t.Fatalf("before any reading: %+v, %v", r, err)
		}
		through := time.Date(2026, 3, 4, 5, 6, 7, 8, time.UTC)
		label := Labeling{CommitID: a[0].ID, Source: SourcePullRequest, LabelerVersion: "v", Labels: []CommitLabel{{Label: "fix", Confidence: 1}}}
		if err := db.PutPullLabelings(ctx, "o/a", []Labeling{label}, PullReading{Through: through, Rules: "pull-1 abc"}); err != nil {
			t.Fatal(err)
		}
		r, err := db.PullReading(ctx, "o/a")
		if err != nil || !r.Through.Equal(through) || r.Rules != "pull-1 abc" {
			t.Errorf("after a reading: %+v, %v", r, err)
		}
		if eff, err := db.EffectiveLabels(ctx); err != nil || len(eff) != 1 || eff[0].Source != SourcePullRequest {
			t.Errorf("labelings stored with the reading: %+v, %v", eff, err)
		}

		bad := Labeling{CommitID: 999, Source: SourcePullRequest, LabelerVersion: "v", Labels: []CommitLabel{{Label: "fix", Confidence: 1}}}
		if err := db.PutPullLabelings(ctx, "o/a", []Labeling{bad}, PullReading{Through: through.Add(time.Hour), Rules: "pull-1 abc"}); err == nil {
			t.Fatal("a labeling of an unknown commit was stored")
		}
		if r, _ := db.PullReading(ctx, "o/a"); !r.Through.Equal(through) {
			t.Errorf("a failed batch moved the reading to %v", r.Through)
		}
		if err := db.PutPullLabelings(ctx, "o/none", nil, PullReading{Through: through}); !errors.Is(err, ErrNotFound) {
			t.Errorf("reading of an unknown repository: %v, want ErrNotFound", err)
		}
	})
}
