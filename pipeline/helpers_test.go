package pipeline

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"path/filepath"
	"sort"
	"testing"

	"github.com/commit-labeler/commit-labeler/store"
)

// newTestEnv returns an Env with DefaultOptions on a fresh store in the
// test's temporary directory, logging warnings to the test's output. Each
// clone path is registered as a repository, named test/repo0, test/repo1, …
// in order, as if cloned there.
func newTestEnv(t testing.TB, clonePaths ...string) *Env {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "store.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for i, p := range clonePaths {
		if _, err := db.UpsertRepository(ctx, store.Repository{Name: fmt.Sprintf("test/repo%d", i), URL: p, ClonePath: p}); err != nil {
			t.Fatal(err)
		}
	}
	return &Env{
		DB:       db,
		Options:  DefaultOptions(),
		Log:      slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn})),
		Progress: NoProgress,
	}
}

// newLoggedEnv is newTestEnv with the given options in place of the
// defaults, whose log, from debug level up, goes to the returned buffer for
// the test to search.
func newLoggedEnv(t testing.TB, opts Options) (*Env, *bytes.Buffer) {
	t.Helper()
	env := newTestEnv(t)
	env.Options = opts
	var logs bytes.Buffer
	env.Log = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	return env, &logs
}

// wantCounts reports every count of want that differs in got; counts that
// want does not name are not checked.
func wantCounts(t testing.TB, got Counts, want Counts) {
	t.Helper()
	for k, v := range want {
		if got[k] != v {
			t.Errorf("count %s = %d, want %d (all: %v)", k, got[k], v, got)
		}
	}
}

// cancellingProgress is a progress report that cancels the run when the
// first batch is reported.
type cancellingProgress struct{ cancel context.CancelFunc }

func (p cancellingProgress) Add(int) { p.cancel() }
func (cancellingProgress) Done()     {}

// testCommit is a commit with a subject, a body and one file; sha derives from i.
func testCommit(i int, subject string) store.Commit {
	return store.Commit{
		SHA:          fmt.Sprintf("%040x", i+1),
		AuthoredAt:   "2024-01-02T03:04:05+00:00",
		AuthoredUnix: 1704164645 + int64(i),
		Subject:      subject,
		Body:         "Body of commit " + fmt.Sprint(i) + ".\n",
		FilesChanged: 1,
		Additions:    3,
		Deletions:    1,
		Diff:         "diff --git a/x.go b/x.go\n@@ -1 +1 @@\n-old\n+new",
		Files:        []store.File{{Path: "x.go", Status: "M", Additions: 3, Deletions: 1}},
	}
}

// syntheticCommit returns the i-th of a family of small, varied commits.
func syntheticCommit(i int) store.Commit {
	paths := []string{"src/app.go", "src/app_test.go", "docs/guide.md", "package.json", ".github/workflows/ci.yml"}
	p := paths[i%len(paths)]
	return store.Commit{
		SHA:          fmt.Sprintf("%040x", i+1),
		AuthoredAt:   "2024-01-01T00:00:00Z",
		AuthoredUnix: 1704067200 + int64(i),
		Subject:      fmt.Sprintf("fix(core): handle case %d", i),
		Body:         fmt.Sprintf("Case %d was wrong.\n\n* feat: part of a squash", i),
		FilesChanged: 1, Additions: i % 7, Deletions: i % 3,
		Diff:  fmt.Sprintf("diff --git a/%s b/%s\n@@ -1 +1 @@\n-old %d\n+new %d", p, p, i, i),
		Files: []store.File{{Path: p, Status: "M", Additions: i % 7, Deletions: i % 3}},
	}
}

// insertCommits stores the commits in repository repo and returns their ids.
func insertCommits(t testing.TB, db *store.DB, repo string, commits []store.Commit) []int64 {
	t.Helper()
	ctx := context.Background()
	ids := make([]int64, len(commits))
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		repoID, err := db.EnsureRepository(ctx, tx, repo)
		if err != nil {
			return err
		}
		w, err := store.NewCommitWriter(ctx, tx)
		if err != nil {
			return err
		}
		defer w.Close()
		for i := range commits {
			commits[i].RepoID = repoID
			if _, err := w.Insert(&commits[i]); err != nil {
				return err
			}
			ids[i] = commits[i].ID
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// insertSyntheticCommits stores the first n synthetic commits in one repository.
func insertSyntheticCommits(t testing.TB, db *store.DB, n int) {
	t.Helper()
	commits := make([]store.Commit, n)
	for i := range commits {
		commits[i] = syntheticCommit(i)
	}
	insertCommits(t, db, "acme/widgets", commits)
}

// sampleAll puts every given commit in the stride sample.
func sampleAll(t testing.TB, db *store.DB, ids []int64, dups ...store.Duplicate) {
	t.Helper()
	samples := make([]store.Sample, len(ids))
	for i, id := range ids {
		samples[i] = store.Sample{CommitID: id, Year: 2024}
	}
	if err := db.ReplaceSamples(context.Background(), samples, dups); err != nil {
		t.Fatal(err)
	}
}

// storedCommits reads every stored commit by sha.
func storedCommits(t testing.TB, db *store.DB) map[string]*store.Commit {
	t.Helper()
	out := make(map[string]*store.Commit)
	if err := db.ForEachCommit(context.Background(), store.CommitFilter{}, func(c *store.Commit) error {
		out[c.SHA] = c
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// storedRepos returns the store's repositories by name.
func storedRepos(t testing.TB, db *store.DB) map[string]store.Repository {
	t.Helper()
	repos, err := db.Repositories(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]store.Repository{}
	for _, r := range repos {
		out[r.Name] = r
	}
	return out
}

// queryRows runs query with args on db and calls scan for every result row;
// an error from the query, from scan or from reading the rows fails the test.
func queryRows(t testing.TB, db *store.DB, query string, scan func(*sql.Rows) error, args ...any) {
	t.Helper()
	rows, err := db.SQL().Query(query, args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// dumpRows returns the rows of the queries, query after query, each as its
// column values printed by fmt.Sprint: a text to compare two stores by.
func dumpRows(t testing.TB, db *store.DB, queries ...string) []string {
	t.Helper()
	var out []string
	for _, q := range queries {
		queryRows(t, db, q, func(rows *sql.Rows) error {
			cols, err := rows.Columns()
			if err != nil {
				return err
			}
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				return err
			}
			out = append(out, fmt.Sprint(vals...))
			return nil
		})
	}
	return out
}

// labelRows dumps every label and labeling row, keyed by commit SHA, sorted.
func labelRows(t testing.TB, db *store.DB) []string {
	t.Helper()
	out := dumpRows(t, db,
		`SELECT c.sha || ' ' || l.source || ' ' || l.label || ' ' || l.rank || ' ' || l.confidence || ' ' || l.reason || ' ' || l.labeler_version
		 FROM commit_labels l JOIN commits c ON c.id = l.commit_id`,
		`SELECT c.sha || ' ' || l.source || ' done ' || l.status || ' ' || l.labeler_version
		 FROM labelings l JOIN commits c ON c.id = l.commit_id`)
	sort.Strings(out)
	return out
}

// sourceLabels returns, per commit id, the label names a source stored in rank order.
func sourceLabels(t testing.TB, db *store.DB, source string) map[int64][]string {
	t.Helper()
	out := map[int64][]string{}
	queryRows(t, db, `SELECT commit_id, label FROM commit_labels WHERE source = ? ORDER BY commit_id, rank`, func(rows *sql.Rows) error {
		var id int64
		var label string
		err := rows.Scan(&id, &label)
		out[id] = append(out[id], label)
		return err
	}, source)
	return out
}
