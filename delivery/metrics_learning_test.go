package delivery_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/commit-labeler/commit-labeler/classify"
	"github.com/commit-labeler/commit-labeler/delivery"
	"github.com/commit-labeler/commit-labeler/learnjob"
	"github.com/commit-labeler/commit-labeler/store"
)

// TestLearningMetrics: /metrics shows the learn jobs by state, the
// learning workers alive and each repository's newest learning's
// figures, the global model's against the repository model's.
func TestLearningMetrics(t *testing.T) {
	bot := startBot(t, "", []delivery.Handler{newRecorder("pull_request")})
	ctx := context.Background()
	learn, err := delivery.NewLearnQueue(bot.db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := learn.EnqueueLearn(ctx, learnjob.Args{Repo: "acme/app", Reason: learnjob.ReasonManual}); err != nil {
		t.Fatal(err)
	}
	report, _ := json.Marshal(classify.Learned{Commits: 480, ValidCommits: 96, Accepted: true,
		Global:  &classify.Metrics{MacroF1: 0.61, AppliedPrecision: 0.88, AppliedCoverage: 0.52},
		Learned: &classify.Metrics{MacroF1: 0.74, AppliedPrecision: 0.91, AppliedCoverage: 0.66}})
	if _, err := bot.db.PublishRepositoryModel(ctx, store.RepositoryModel{Repo: "acme/app", Accepted: true, Commits: 480, Report: report}); err != nil {
		t.Fatal(err)
	}
	if err := bot.db.RegisterWorker(ctx, "worker-1", "host", 1, time.Hour); err != nil {
		t.Fatal(err)
	}
	m := bot.scrape(t)
	for _, want := range []string{
		`commit_labeler_learn_jobs{state="available"} 1`,
		`commit_labeler_learn_workers_alive 1`,
		`commit_labeler_learn_model_accepted{repo="acme/app"} 1`,
		`commit_labeler_learn_model_version{repo="acme/app"} 1`,
		`commit_labeler_learn_model_macro_f1{model="global",repo="acme/app"} 0.61`,
		`commit_labeler_learn_model_macro_f1{model="repository",repo="acme/app"} 0.74`,
		`commit_labeler_learn_model_applied_precision{model="repository",repo="acme/app"} 0.91`,
		`commit_labeler_learn_model_applied_coverage{model="global",repo="acme/app"} 0.52`,
	} {
		if !strings.Contains(m, want) {
			t.Errorf("/metrics lacks %s:\n%s", want, grepLines(m, "commit_labeler_learn"))
		}
	}
}
