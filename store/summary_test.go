package store

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
)

// summaryCommit is commit i of a repository, authored at unix time ts.
func summaryCommit(i int, ts int64, bot bool) Commit {
	return Commit{SHA: fmt.Sprintf("%040x", i+1), AuthoredAt: "2020-01-01T00:00:00Z", AuthoredUnix: ts,
		Subject: "s", Diff: "d", AuthorIsBot: bot}
}

func TestSummaryQueries(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e testEngine) {
		db := e.open(t)
		ctx := context.Background()
		const y2019, y2021 = 1546300800, 1609459200 // 2019-01-01 and 2021-01-01 UTC
		a := []Commit{summaryCommit(0, y2019, false), summaryCommit(1, y2021-1, true), summaryCommit(2, y2021, false)}
		b := []Commit{summaryCommit(3, y2021, false)}
		insertCommits(t, db, "o/a", a)
		insertCommits(t, db, "o/b", b)
		if err := db.ReplaceSamples(ctx, []Sample{{CommitID: a[0].ID, Year: 2019}, {CommitID: b[0].ID, Year: 2021}},
			[]Duplicate{{CommitID: a[2].ID, DuplicateOf: b[0].ID}}); err != nil {
			t.Fatal(err)
		}
		one := func(label string, conf float64) []CommitLabel { return []CommitLabel{{Label: label, Confidence: conf}} }
		if err := db.PutLabelings(context.Background(), []Labeling{
			{CommitID: a[0].ID, Source: SourceConventional, LabelerVersion: "v", Labels: []CommitLabel{{Label: "fix", Confidence: 1}, {Label: "i18n", Confidence: 0.95}}},
			{CommitID: a[0].ID, Source: SourceOllama, LabelerVersion: "v", Labels: one("fix", 0.42)},
			{CommitID: a[1].ID, Source: SourceConventional, LabelerVersion: "v", Labels: one("feat", 1)},
			{CommitID: a[1].ID, Source: SourceOllama, LabelerVersion: "v", Labels: []CommitLabel{{Label: "docs", Confidence: 0}, {Label: "feat", Confidence: 0.1}}},
			{CommitID: a[2].ID, Source: SourceOllama, LabelerVersion: "v", Labels: one("test", 0.999)},
			{CommitID: b[0].ID, Source: SourceConventional, LabelerVersion: "v"},
		}); err != nil {
			t.Fatal(err)
		}

		counts, err := db.CorpusCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if want := (CorpusCounts{Repositories: 2, Commits: 4, BotCommits: 1, Duplicates: 1, Sampled: 2}); counts != want {
			t.Errorf("CorpusCounts = %+v, want %+v", counts, want)
		}

		groups, err := db.CommitGroups(ctx)
		if err != nil {
			t.Fatal(err)
		}
		wantGroups := map[int64]CommitGroup{a[0].ID: {"o/a", 2019}, a[1].ID: {"o/a", 2020}, a[2].ID: {"o/a", 2021}, b[0].ID: {"o/b", 2021}}
		if !reflect.DeepEqual(groups, wantGroups) {
			t.Errorf("CommitGroups = %v, want %v", groups, wantGroups)
		}

		pairs, err := db.PrimaryLabelPairs(ctx, SourceConventional, SourceOllama)
		if err != nil {
			t.Fatal(err)
		}
		if want := []LabelPair{{"feat", "docs", 1}, {"fix", "fix", 1}}; !reflect.DeepEqual(pairs, want) {
			t.Errorf("PrimaryLabelPairs = %v, want %v", pairs, want)
		}

		hist, err := db.ConfidenceHistograms(ctx)
		if err != nil {
			t.Fatal(err)
		}
		wantHist := map[string][]int64{
			SourceConventional: {0, 0, 0, 0, 0, 0, 0, 0, 0, 3},
			SourceOllama:       {1, 1, 0, 0, 1, 0, 0, 0, 0, 1},
		}
		if !reflect.DeepEqual(hist, wantHist) {
			t.Errorf("ConfidenceHistograms = %v, want %v", hist, wantHist)
		}
	})
}

func TestLastRuns(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e testEngine) {
		db := e.open(t)
		ctx := context.Background()
		for _, r := range []struct {
			phase string
			err   error
		}{{"extract", nil}, {"label", errors.New("boom")}, {"extract", errors.New("repository o/r: gone")}, {"label", nil}, {"stride", nil}} {
			id, err := db.StartRun(ctx, r.phase, nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := db.FinishRun(id, map[string]int64{"n": id}, r.err); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.StartRun(ctx, "summary", nil); err != nil {
			t.Fatal(err)
		}
		got, err := db.LastRuns(ctx)
		if err != nil {
			t.Fatal(err)
		}
		type row struct {
			phase   string
			runs    int64
			ok      int64
			lastID  int64
			status  string
			counted int64
		}
		var rows []row
		for _, p := range got {
			rows = append(rows, row{p.Phase, p.Runs, p.OK, p.Last.ID, p.Last.Status, p.Last.Counts["n"]})
		}
		want := []row{
			{"extract", 2, 1, 3, RunFailed, 3},
			{"label", 2, 1, 4, RunOK, 4},
			{"stride", 1, 1, 5, RunOK, 5},
			{"summary", 1, 0, 6, RunRunning, 0},
		}
		if !reflect.DeepEqual(rows, want) {
			t.Errorf("LastRuns = %+v, want %+v", rows, want)
		}
		if got[0].Last.Error != "repository o/r: gone" {
			t.Errorf("last extract error = %q", got[0].Last.Error)
		}
	})
}
