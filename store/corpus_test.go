package store

import (
	"context"
	"database/sql"
	"errors"
	"reflect"
	"testing"
)

// TestCorpusReadsAndWriters covers the pipeline's reads and writers the
// other tests do not (repositories, commit refs and ids, features,
// labelings with a maintainer's removal, label counts), on every engine.
func TestCorpusReadsAndWriters(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e testEngine) {
		db := e.open(t)
		ctx := context.Background()
		if _, err := db.UpsertRepository(ctx, Repository{Name: "o/a", URL: "https://x/o/a", InstallationID: 7, ClonePath: "/c/a", Head: "h1"}); err != nil {
			t.Fatal(err)
		}
		// A later fetch without installation, clone or head keeps them.
		if _, err := db.UpsertRepository(ctx, Repository{Name: "o/a", URL: "https://x/o/a2"}); err != nil {
			t.Fatal(err)
		}
		a := []Commit{summaryCommit(0, 100, false), summaryCommit(1, 50, false)}
		insertCommits(t, db, "o/a", a)
		repos, err := db.Repositories(ctx)
		if err != nil || len(repos) != 1 {
			t.Fatalf("repositories = %+v, %v", repos, err)
		}
		if r := repos[0]; r.URL != "https://x/o/a2" || r.InstallationID != 7 || r.ClonePath != "/c/a" || r.Head != "h1" {
			t.Errorf("repository after a bare upsert = %+v", r)
		}
		if r, err := db.RepositoryByName(ctx, "o/a"); err != nil || r.ID != repos[0].ID {
			t.Errorf("RepositoryByName = %+v, %v", r, err)
		}
		if _, err := db.RepositoryByName(ctx, "o/none"); !errors.Is(err, ErrNotFound) {
			t.Errorf("unknown repository: %v, want ErrNotFound", err)
		}
		refs, err := db.CommitRefs(ctx)
		if err != nil || len(refs) != 2 || refs[0].ID != a[1].ID || refs[0].AuthoredUnix != 50 {
			t.Errorf("CommitRefs (by time) = %+v, %v", refs, err)
		}
		ids, err := db.CommitIDs(ctx, "o/a")
		if want := map[string]int64{a[0].SHA: a[0].ID, a[1].SHA: a[1].ID}; err != nil || !reflect.DeepEqual(ids, want) {
			t.Errorf("CommitIDs = %v, %v; want %v", ids, err, want)
		}

		err = db.Tx(ctx, func(tx *sql.Tx) error {
			w, err := NewFeatureWriter(ctx, tx)
			if err != nil {
				return err
			}
			defer w.Close()
			for _, c := range a {
				if err := w.Put(c.ID, 1, []byte(`{"v":1}`)); err != nil {
					return err
				}
			}
			return w.Put(a[0].ID, 2, []byte(`{"v":2}`)) // replaces version 1
		})
		if err != nil {
			t.Fatal(err)
		}
		if data, v, err := db.Features(ctx, a[0].ID); err != nil || v != 2 || string(data) != `{"v":2}` {
			t.Errorf("Features = %s, %d, %v", data, v, err)
		}
		if _, _, err := db.Features(ctx, 999); !errors.Is(err, ErrNotFound) {
			t.Errorf("features of an unknown commit: %v, want ErrNotFound", err)
		}
		if n, err := db.CountFeatures(ctx, 1); err != nil || n != 1 {
			t.Errorf("CountFeatures(1) = %d, %v", n, err)
		}
		var streamed []CommitFeatures
		if err := db.ForEachCommitFeatures(ctx, 1, func(cf CommitFeatures) error { streamed = append(streamed, cf); return nil }); err != nil {
			t.Fatal(err)
		}
		if len(streamed) != 1 || streamed[0].CommitID != a[1].ID || streamed[0].Repo != "o/a" || string(streamed[0].Data) != `{"v":1}` {
			t.Errorf("ForEachCommitFeatures = %+v", streamed)
		}

		if err := db.PutLabelings(ctx, []Labeling{
			{CommitID: a[0].ID, Source: SourceConventional, LabelerVersion: "v", Labels: []CommitLabel{{Label: "fix", Confidence: 1}, {Label: "docs", Confidence: 0.76}}},
			{CommitID: a[0].ID, Source: SourceOllama, LabelerVersion: "v", Labels: []CommitLabel{{Label: "feat", Confidence: 0.5}}},
			{CommitID: a[1].ID, Source: SourceOllama, LabelerVersion: "v", Labels: []CommitLabel{{Label: "test", Confidence: 0.5}}},
		}); err != nil {
			t.Fatal(err)
		}
		// A maintainer removed docs from a[0]: the conventional source
		// keeps only fix.
		if err := db.AddCorrection(ctx, Correction{Repo: "o/a", SHAs: []string{a[0].SHA}, PullNumber: 1, Label: "docs", Action: CorrectionRemoved}); err != nil {
			t.Fatal(err)
		}
		eff, err := db.EffectiveLabels(ctx)
		if err != nil {
			t.Fatal(err)
		}
		wantEff := []EffectiveLabel{
			{CommitID: a[0].ID, Source: SourceConventional, Labels: []CommitLabel{{Label: "fix", Confidence: 1}}},
			{CommitID: a[1].ID, Source: SourceOllama, Labels: []CommitLabel{{Label: "test", Confidence: 0.5}}},
		}
		if !reflect.DeepEqual(eff, wantEff) {
			t.Errorf("EffectiveLabels = %+v, want %+v", eff, wantEff)
		}
		hist, err := db.ConfidenceHistograms(ctx)
		if err != nil || hist[SourceConventional][7] != 1 {
			t.Errorf("confidence 0.76 not in bin 7 (truncated, not rounded): %v, %v", hist, err)
		}
		err = db.Tx(ctx, func(tx *sql.Tx) error {
			w, err := NewLabelingWriter(ctx, tx)
			if err != nil {
				return err
			}
			defer w.Close()
			return w.Clear(a[1].ID, SourceOllama)
		})
		if err != nil {
			t.Fatal(err)
		}
		counts, err := db.LabelCounts(ctx)
		if want := map[string]map[string]int64{SourceConventional: {"fix": 1}, SourceOllama: {"feat": 1}}; err != nil || !reflect.DeepEqual(counts, want) {
			t.Errorf("LabelCounts = %v, %v; want %v", counts, err, want)
		}
		var left []int64
		if err := db.ForEachCommit(ctx, CommitFilter{NotLabeledBy: SourceOllama, NotLabeledByVersion: "v", Repo: "o/a"}, func(c *Commit) error {
			left = append(left, c.ID)
			return nil
		}); err != nil || !reflect.DeepEqual(left, []int64{a[1].ID}) {
			t.Errorf("commits left for ollama after Clear = %v, %v; want [%d]", left, err, a[1].ID)
		}
	})
}
