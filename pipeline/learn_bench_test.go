package pipeline

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/commit-labeler/commit-labeler/internal/gittest"
)

// BenchmarkLearnAndPublish5000 learns a repository of 5,000 commits end to
// end as the learning worker does, each iteration from nothing (a new
// store and work directory): clone over file://, extract, label, learn
// from the shipped model and publish. The target is 60 s.
//
//	go test -run '^$' -bench LearnAndPublish5000 -benchtime 3x ./pipeline
func BenchmarkLearnAndPublish5000(b *testing.B) {
	global := shippedModel(b)
	repo := gittest.ConventionalHistory(b, 5000, "chore", nil)
	ctx := context.Background()
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		env := newTestEnv(b)
		env.Options.Workdir = filepath.Join(b.TempDir(), "clones")
		b.StartTimer()
		out, err := LearnAndPublish(ctx, env, global, Target{Repo: "acme/app", CloneURL: "file://" + repo.Dir})
		if err != nil {
			b.Fatal(err)
		}
		if !out.Learned.Accepted {
			b.Fatalf("not accepted: %s", out.Learned.Reason)
		}
	}
}
