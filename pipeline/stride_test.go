package pipeline

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/commit-labeler/commit-labeler/store"
)

// sampleIDs returns the ids of the sampled and of the duplicate commits, in order.
func sampleIDs(t *testing.T, db *store.DB) (samples, dups []int64) {
	t.Helper()
	for q, dst := range map[string]*[]int64{
		"SELECT commit_id FROM samples ORDER BY commit_id":    &samples,
		"SELECT commit_id FROM duplicates ORDER BY commit_id": &dups,
	} {
		queryRows(t, db, q, func(rows *sql.Rows) error {
			var id int64
			err := rows.Scan(&id)
			*dst = append(*dst, id)
			return err
		})
	}
	return samples, dups
}

func TestStride(t *testing.T) {
	env := newTestEnv(t)
	base := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
	var a, b []store.Commit
	// Repository a: 350 daily commits in 2021; b: a later cherry-pick of one of a's patches.
	for i := 0; i < 350; i++ {
		at := base.Add(time.Duration(i) * 24 * time.Hour)
		a = append(a, store.Commit{SHA: fmt.Sprintf("a%039d", i), AuthoredAt: at.Format(time.RFC3339), AuthoredUnix: at.Unix(),
			Subject: "change", PatchID: fmt.Sprintf("p%d", i)})
	}
	late := base.AddDate(3, 0, 0)
	b = append(b, store.Commit{SHA: fmt.Sprintf("b%039d", 0), AuthoredAt: late.Format(time.RFC3339), AuthoredUnix: late.Unix(),
		Subject: "cherry-pick", PatchID: "p7"})
	insertCommits(t, env.DB, "o/a", a)
	insertCommits(t, env.DB, "o/b", b)

	env.Options.StridePerYear = 100
	counts, err := Stride(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	want := Counts{"commits": 351, "duplicates": 1, "sampled": 100}
	if !reflect.DeepEqual(counts, want) {
		t.Fatalf("counts = %v, want %v", counts, want)
	}
	samples, dups := sampleIDs(t, env.DB)
	if len(dups) != 1 || dups[0] != 351 {
		t.Fatalf("duplicates = %v, want the later cherry-pick (351)", dups)
	}
	// Deterministic: a second run gives the same sample; another seed another one.
	if _, err := Stride(context.Background(), env); err != nil {
		t.Fatal(err)
	}
	again, _ := sampleIDs(t, env.DB)
	if !reflect.DeepEqual(samples, again) {
		t.Fatal("stride sample changed between identical runs")
	}
	env.Options.Seed = 7
	if _, err := Stride(context.Background(), env); err != nil {
		t.Fatal(err)
	}
	other, _ := sampleIDs(t, env.DB)
	if reflect.DeepEqual(samples, other) {
		t.Fatal("stride sample did not depend on the seed")
	}
	// The sample spreads over the year: first and last thirds both represented.
	var early, lateN int
	for _, id := range samples {
		if id <= 116 {
			early++
		}
		if id > 233 && id <= 350 {
			lateN++
		}
	}
	if early < 30 || lateN < 30 {
		t.Fatalf("sample not strided over time: %d early, %d late", early, lateN)
	}
}

func TestStrideRejectsNonPositiveLimit(t *testing.T) {
	env := newTestEnv(t)
	env.Options.StridePerYear = 0
	if _, err := Stride(context.Background(), env); err == nil {
		t.Fatal("want an error for a zero per-year limit")
	}
}
