package store

import (
	"bytes"
	"context"
	"testing"
)

func TestRepositoryModelVersions(t *testing.T) {
	db := openTestDB(t)
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
}
