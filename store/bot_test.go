package store

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"testing"
	"time"
)

func TestPullStateOwnership(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e testEngine) {
		db := e.open(t)
		ctx := context.Background()
		const repo = "o/r"
		if _, found, err := db.PullState(ctx, repo, 1); err != nil || found {
			t.Fatalf("unknown pull request: found %v, err %v", found, err)
		}
		save := func(head string, labels ...string) {
			t.Helper()
			p := PullPrediction{Repo: repo, Number: 1, HeadSHA: head, CommitSHAs: []string{"a", head},
				Prediction: BotPrediction{Repo: repo, PullNumber: 1, SHA: head, Source: "model", Labels: labels}}
			for _, l := range labels {
				p.Applying = append(p.Applying, PullLabel{Label: l, GitHubLabel: "type: " + l})
			}
			if err := db.SavePullPrediction(ctx, p); err != nil {
				t.Fatal(err)
			}
		}
		save("h1", "fix", "docs")
		if err := db.SetPullLabel(ctx, repo, 1, PullLabel{Label: "docs", GitHubLabel: "type: docs", State: PullLabelHumanRemoved, Sender: "octocat"}); err != nil {
			t.Fatal(err)
		}
		if err := db.ForgetBotLabels(ctx, repo, 1, []string{"fix", "docs"}); err != nil {
			t.Fatal(err)
		}
		save("h2", "feat")
		st, found, err := db.PullState(ctx, repo, 1)
		if err != nil || !found {
			t.Fatalf("found %v, err %v", found, err)
		}
		if st.HeadSHA != "h2" || !slices.Equal(st.CommitSHAs, []string{"a", "h2"}) {
			t.Errorf("head %s commits %v", st.HeadSHA, st.CommitSHAs)
		}
		if len(st.Labels) != 2 || st.Labels["feat"].State != PullLabelBotApplied || st.Labels["docs"].State != PullLabelHumanRemoved {
			t.Errorf("labels = %+v, want feat by the bot and docs removed by a human", st.Labels)
		}
		preds, err := db.BotPredictions(ctx, repo)
		if err != nil || len(preds) != 2 || preds[1].SHA != "h2" || !slices.Equal(preds[1].Labels, []string{"feat"}) {
			t.Errorf("predictions = %+v, err %v", preds, err)
		}
		// A pull request the bot never labeled, whose label a human added.
		if err := db.SetPullLabel(ctx, repo, 2, PullLabel{Label: "test", GitHubLabel: "test", State: PullLabelHumanAdded, Sender: "octocat"}); err != nil {
			t.Fatal(err)
		}
		st, found, err = db.PullState(ctx, repo, 2)
		if err != nil || !found || st.HeadSHA != "" || st.CommitSHAs != nil || len(st.Labels) != 1 || st.Labels["test"].Sender != "octocat" {
			t.Errorf("labels only: %+v, found %v, err %v", st, found, err)
		}
	})
}

func TestSavePredictionsReplacesRedeliveries(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e testEngine) {
		db := e.open(t)
		ctx := context.Background()
		for _, labels := range [][]string{{"fix"}, {"perf"}} {
			err := db.SavePredictions(ctx, []BotPrediction{{Repo: "o/r", SHA: "s1", Source: "model", Labels: labels, Detail: []byte(`{"abstain":false}`)}})
			if err != nil {
				t.Fatal(err)
			}
		}
		preds, _ := db.BotPredictions(ctx, "o/r")
		if len(preds) != 1 || preds[0].Labels[0] != "perf" || string(preds[0].Detail) != `{"abstain":false}` {
			t.Fatalf("predictions = %+v", preds)
		}
	})
}

func TestRepoConfigFileCache(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e testEngine) {
		db := e.open(t)
		ctx := context.Background()
		if _, ok, err := db.RepoConfigFile(ctx, "o/r"); ok || err != nil {
			t.Fatalf("empty cache: ok %v err %v", ok, err)
		}
		db.PutRepoConfigFile(ctx, RepoConfigFile{Repo: "o/r", Found: true, BlobSHA: "b", Content: "enabled: false\n"})
		f, ok, err := db.RepoConfigFile(ctx, "o/r")
		if err != nil || !ok || !f.Found || f.Content != "enabled: false\n" || f.FetchedAt.IsZero() {
			t.Fatalf("cached = %+v ok %v err %v", f, ok, err)
		}
		db.ForgetRepoConfigFile(ctx, "o/r")
		if _, ok, _ := db.RepoConfigFile(ctx, "o/r"); ok {
			t.Fatal("forgotten configuration still cached")
		}
	})
}

func TestInstallationChangesAndDeletion(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e testEngine) {
		db := e.open(t)
		ctx := context.Background()
		db.UpsertInstallation(ctx, Installation{ID: 7, Account: "octo"})
		err := db.ChangeInstallationRepositories(ctx, 7,
			[]InstallationRepository{{InstallationID: 7, FullName: "octo/a"}, {InstallationID: 7, FullName: "octo/b", Private: true}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.ChangeInstallationRepositories(ctx, 7, nil, []string{"octo/a"}); err != nil {
			t.Fatal(err)
		}
		repos, _ := db.InstallationRepositories(ctx)
		if len(repos) != 1 || repos[0].FullName != "octo/b" || !repos[0].Private {
			t.Fatalf("repositories = %+v", repos)
		}
		if err := db.DeleteInstallation(ctx, 7); err != nil {
			t.Fatal(err)
		}
		if repos, _ := db.InstallationRepositories(ctx); len(repos) != 0 {
			t.Fatalf("repositories of a deleted installation remain: %+v", repos)
		}
		if err := db.ChangeInstallationRepositories(ctx, 8, []InstallationRepository{{InstallationID: 8, FullName: "x/y"}}, nil); err == nil {
			t.Fatal("added a repository to an unknown installation")
		}
	})
}

// TestJobReadsDoNotWaitForTheWriter holds the only write connection a
// server allows in an open transaction: the reads a webhook job makes still
// answer, from the last committed state, and cannot write.
func TestJobReadsDoNotWaitForTheWriter(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e testEngine) {
		db := e.open(t)
		ctx := context.Background()
		db.PutRepoConfigFile(ctx, RepoConfigFile{Repo: "o/r", Found: true, Content: "enabled: true\n"})
		db.SQL().SetMaxOpenConns(1)
		tx, err := db.SQL().BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		if _, err := tx.ExecContext(ctx, `DELETE FROM bot_repo_configs`); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		if f, ok, err := db.RepoConfigFile(ctx, "o/r"); err != nil || !ok || f.Content != "enabled: true\n" {
			t.Errorf("configuration while the writer is busy: %+v ok %v err %v", f, ok, err)
		}
		if _, _, err := db.PullState(ctx, "o/r", 1); err != nil {
			t.Errorf("pull state while the writer is busy: %v", err)
		}
		if _, err := db.reads.ExecContext(ctx, `DELETE FROM bot_repo_configs`); err == nil {
			t.Error("a read connection deleted rows")
		}
	})
}

// TestWritesWaitForTheirTurn: on SQLite a store write waits while an
// earlier one has the turn (and gives up with its context), while the
// connection itself stays free for a caller that asks sql directly, as a
// server's intake does; on PostgreSQL writes go side by side.
func TestWritesWaitForTheirTurn(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e testEngine) {
		db := e.open(t)
		ctx := context.Background()
		done, err := db.awaitWriteTurn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		defer cancel()
		var want error // PostgreSQL: no turns
		if e.dialect.engine == SQLite {
			want = context.DeadlineExceeded
		}
		if err := db.PutRepoConfigFile(short, RepoConfigFile{Repo: "o/r"}); !errors.Is(err, want) {
			t.Errorf("write during another's turn: %v, want %v", err, want)
		}
		if err := db.Tx(short, func(*sql.Tx) error { return nil }); !errors.Is(err, want) {
			t.Errorf("transaction during another's turn: %v, want %v", err, want)
		}
		if _, err := db.SQL().ExecContext(ctx, `DELETE FROM bot_repo_configs`); err != nil {
			t.Errorf("direct write during a turn: %v", err)
		}
		done()
		if err := db.PutRepoConfigFile(ctx, RepoConfigFile{Repo: "o/r"}); err != nil {
			t.Errorf("write after the turn ended: %v", err)
		}
	})
}
