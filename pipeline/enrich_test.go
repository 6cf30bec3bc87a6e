package pipeline

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"

	"github.com/commit-labeler/commit-labeler/classify"
	"github.com/commit-labeler/commit-labeler/store"
)

// featureRows returns the features table as commit id → "version data".
func featureRows(t testing.TB, db *store.DB) map[int64]string {
	t.Helper()
	out := make(map[int64]string)
	queryRows(t, db, `SELECT commit_id, version, data FROM features`, func(rows *sql.Rows) error {
		var id int64
		var v int
		var data string
		err := rows.Scan(&id, &v, &data)
		out[id] = fmt.Sprintf("%d %s", v, data)
		return err
	})
	return out
}

func TestEnrich(t *testing.T) {
	ctx := context.Background()
	env := newTestEnv(t)
	insertSyntheticCommits(t, env.DB, 25)

	counts, err := Enrich(ctx, env)
	if err != nil {
		t.Fatal(err)
	}
	if want := (Counts{CountEnriched: 25, CountAlreadyCurrent: 0}); !reflect.DeepEqual(counts, want) {
		t.Errorf("first run counts = %v, want %v", counts, want)
	}
	// Stored features are BuildFeatures of the stored commit.
	err = env.DB.ForEachCommit(ctx, store.CommitFilter{}, func(c *store.Commit) error {
		data, v, err := env.DB.Features(ctx, c.ID)
		if err != nil {
			return err
		}
		want, _ := json.Marshal(classify.BuildFeatures(classifyCommit(c)))
		if v != classify.FeaturesVersion || string(data) != string(want) {
			t.Errorf("features of %s = v%d %s\nwant %s", c.SHA, v, data, want)
		}
		var f classify.Features
		if err := json.Unmarshal(data, &f); err != nil || f.BodyHeaderLines != 1 || f.Subject == c.Subject {
			t.Errorf("features of %s: subject %q, %d header lines dropped (err %v)", c.SHA, f.Subject, f.BodyHeaderLines, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	counts, err = Enrich(ctx, env)
	if err != nil {
		t.Fatal(err)
	}
	if want := (Counts{CountEnriched: 0, CountAlreadyCurrent: 25}); !reflect.DeepEqual(counts, want) {
		t.Errorf("rerun counts = %v, want %v", counts, want)
	}

	// Features of another version are rebuilt.
	if _, err := env.DB.SQL().Exec(`UPDATE features SET version = 0, data = '{}' WHERE commit_id IN (SELECT id FROM commits LIMIT 3)`); err != nil {
		t.Fatal(err)
	}
	before := featureRows(t, env.DB)
	counts, err = Enrich(ctx, env)
	if err != nil {
		t.Fatal(err)
	}
	if want := (Counts{CountEnriched: 3, CountAlreadyCurrent: 22}); !reflect.DeepEqual(counts, want) {
		t.Errorf("stale run counts = %v, want %v", counts, want)
	}
	if after := featureRows(t, env.DB); reflect.DeepEqual(before, after) || len(after) != 25 {
		t.Errorf("stale features were not rebuilt")
	}
}

func TestEnrichCancelledThenRerunEqualsCleanRun(t *testing.T) {
	const n = 2*writeBatch + 500
	clean := newTestEnv(t)
	insertSyntheticCommits(t, clean.DB, n)
	if _, err := Enrich(context.Background(), clean); err != nil {
		t.Fatal(err)
	}

	env := newTestEnv(t)
	insertSyntheticCommits(t, env.DB, n)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	env.Progress = func(string, int) Progress { return cancellingProgress{cancel} }
	counts, err := Enrich(ctx, env)
	if err == nil {
		t.Fatal("cancelled run returned no error")
	}
	if got := int64(len(featureRows(t, env.DB))); got != counts[CountEnriched] || got%writeBatch != 0 || got == n {
		t.Errorf("cancelled run stored %d features, counted %d: want whole batches, not all", got, counts[CountEnriched])
	}

	env.Progress = NoProgress
	if _, err := Enrich(context.Background(), env); err != nil {
		t.Fatal(err)
	}
	if got, want := featureRows(t, env.DB), featureRows(t, clean.DB); !reflect.DeepEqual(got, want) {
		t.Errorf("cancelled+rerun features differ from a clean run (%d vs %d rows)", len(got), len(want))
	}
}
