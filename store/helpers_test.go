package store

import (
	"context"
	"database/sql"
	"testing"
)

// insertCommits stores the commits, in order, in repository repo (created if
// need be) with one CommitWriter in one transaction, sets their RepoID and ID,
// and reports for each whether it was new.
func insertCommits(t testing.TB, db *DB, repo string, commits []Commit) (isNew []bool) {
	t.Helper()
	ctx := context.Background()
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		repoID, err := db.EnsureRepository(ctx, tx, repo)
		if err != nil {
			return err
		}
		w, err := NewCommitWriter(ctx, tx)
		if err != nil {
			return err
		}
		defer w.Close()
		for i := range commits {
			commits[i].RepoID = repoID
			added, err := w.Insert(&commits[i])
			if err != nil {
				return err
			}
			isNew = append(isNew, added)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return isNew
}

// storedCommits reads every stored commit, in ForEachCommit order.
func storedCommits(t testing.TB, db *DB) []Commit {
	t.Helper()
	var got []Commit
	if err := db.ForEachCommit(context.Background(), CommitFilter{}, func(c *Commit) error {
		got = append(got, *c)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return got
}
