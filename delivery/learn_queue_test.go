package delivery

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/commit-labeler/commit-labeler/learnjob"
	"github.com/commit-labeler/commit-labeler/store"
)

// TestLearnQueueKeepsOneJobPerRepository: River holds one waiting learn
// job per repository in the bot's database.
func TestLearnQueueKeepsOneJobPerRepository(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "bot.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	q, err := openQueue(ctx, db, &deliveryWorker{}, defaultQueueConfig(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer q.release()
	learn, err := NewLearnQueue(db)
	if err != nil {
		t.Fatal(err)
	}
	for i, tc := range []struct {
		repo   string
		queued bool
	}{{"o/a", true}, {"o/a", false}, {"o/b", true}} {
		queued, err := learn.EnqueueLearn(ctx, learnjob.Args{Repo: tc.repo, InstallationID: 1, Reason: learnjob.ReasonManual})
		if err != nil || queued != tc.queued {
			t.Errorf("request %d (%s): queued %v, err %v; want %v", i, tc.repo, queued, err, tc.queued)
		}
	}
	var n int
	if err := db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM river_job WHERE kind = ? AND queue = ?`, learnjob.Kind, learnjob.Queue).Scan(&n); err != nil || n != 2 {
		t.Errorf("%d learn jobs in the queue (%v), want 2", n, err)
	}
}
