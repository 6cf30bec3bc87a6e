package store

import (
	"bytes"
	"context"
	"testing"
)

func TestRepositoryModelVersions(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e testEngine) {
		db := e.open(t)
		ctx := context.Background()
		if v, err := db.ServedModelVersion(ctx, "o/r"); err != nil || v != 0 {
			t.Fatalf("no model yet: version %d, err %v", v, err)
		}
		if _, ok, err := db.LastLearned(ctx, "o/r"); ok || err != nil {
			t.Fatalf("never learned: ok %v, err %v", ok, err)
		}
		publish := func(repo string, accepted bool, files string) int {
			t.Helper()
			v, err := db.PublishRepositoryModel(ctx, RepositoryModel{Repo: repo, Accepted: accepted, Commits: 120, Report: []byte(`{"accepted":true}`), Files: []byte(files)})
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
		for i, tc := range []struct {
			repo      string
			accepted  bool
			version   int
			served    int
			otherRepo int
		}{
			{"o/r", true, 1, 1, 0},
			{"o/r", false, 2, 1, 0}, // a rejected version leaves the accepted one serving
			{"o/other", true, 1, 1, 1},
			{"o/r", true, 3, 3, 1},
		} {
			if v := publish(tc.repo, tc.accepted, "tar"+tc.repo); v != tc.version {
				t.Errorf("step %d: published version %d, want %d", i, v, tc.version)
			}
			if v, err := db.ServedModelVersion(ctx, tc.repo); err != nil || v != tc.served {
				t.Errorf("step %d: served version %d (%v), want %d", i, v, err, tc.served)
			}
		}
		m, ok, err := db.RepositoryModel(ctx, "o/r", 3)
		if err != nil || !ok || !m.Accepted || m.Commits != 120 || !bytes.Equal(m.Files, []byte("taro/r")) || string(m.Report) != `{"accepted":true}` || m.CreatedAt.IsZero() {
			t.Errorf("model 3 = %+v, %v, %v", m, ok, err)
		}
		if at, ok, err := db.LastLearned(ctx, "o/r"); !ok || err != nil || !at.Equal(m.CreatedAt) {
			t.Errorf("last learned %v, %v, %v; want version 3's %v", at, ok, err, m.CreatedAt)
		}
		if _, ok, err := db.RepositoryModel(ctx, "o/r", 9); ok || err != nil {
			t.Errorf("model 9: ok %v, err %v", ok, err)
		}
	})
}

// TestConcurrentPublishesGetDistinctVersions: learning workers of two
// processes publishing models of one repository at once each get the next
// version, none an error.
func TestConcurrentPublishesGetDistinctVersions(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e testEngine) {
		source := e.source(t)
		ctx := context.Background()
		var dbs [2]*DB
		for i := range dbs {
			db, err := Open(ctx, source)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			dbs[i] = db
		}
		const each = 5
		versions := make(chan int, 2*each)
		errs := make(chan error, 2*each)
		for i := range 2 * each {
			go func() {
				v, err := dbs[i%2].PublishRepositoryModel(ctx, RepositoryModel{Repo: "o/r", Accepted: true, Report: []byte(`{}`)})
				versions <- v
				errs <- err
			}()
		}
		seen := map[int]bool{}
		for range 2 * each {
			if err := <-errs; err != nil {
				t.Error(err)
			}
			seen[<-versions] = true
		}
		for v := 1; v <= 2*each; v++ {
			if !seen[v] {
				t.Errorf("versions %v: %d missing", seen, v)
			}
		}
	})
}
