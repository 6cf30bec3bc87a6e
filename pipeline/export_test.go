package pipeline

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/commit-labeler/commit-labeler/store"
)

// labeledCommit is a stored commit (ids cleared) with its effective labels.
type labeledCommit struct {
	Commit store.Commit
	Labels []string
}

// storedCorpus returns the commits of a store with their effective labels,
// by repository and sha.
func storedCorpus(t *testing.T, env *Env) map[string]labeledCommit {
	t.Helper()
	ctx := context.Background()
	labels, err := effectiveLabelNames(ctx, env)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]labeledCommit{}
	err = env.DB.ForEachCommit(ctx, store.CommitFilter{}, func(c *store.Commit) error {
		ls := labels[c.ID]
		c.ID, c.RepoID = 0, 0
		out[c.Repo+"@"+c.SHA] = labeledCommit{*c, ls}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestExportFileRoundTrips imports a corpus file, exports the store and
// imports the export into another store: both hold the same commits with
// the same labels.
func TestExportFileRoundTrips(t *testing.T) {
	ctx := context.Background()
	src := newTestEnv(t)
	if _, err := Import(ctx, src, "testdata/import-valid.jsonl.gz"); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"corpus.jsonl", "corpus.jsonl.gz"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), name)
			counts, err := ExportFile(ctx, src, path)
			if err != nil {
				t.Fatal(err)
			}
			wantCounts(t, counts, Counts{CountExported: 4, CountUnlabeled: 0})
			dst := newTestEnv(t)
			if _, err := Import(ctx, dst, path); err != nil {
				t.Fatalf("the export does not import: %v", err)
			}
			if got, want := storedCorpus(t, dst), storedCorpus(t, src); !reflect.DeepEqual(got, want) {
				t.Errorf("after the round trip:\n%+v\nwant\n%+v", got, want)
			}
		})
	}
}
