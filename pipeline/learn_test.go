package pipeline

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/commit-labeler/commit-labeler/classify"
	"github.com/commit-labeler/commit-labeler/internal/gittest"
	"github.com/commit-labeler/commit-labeler/models"
)

// shippedModel loads the shipped default model, the global model a
// repository is learned from.
func shippedModel(t testing.TB) classify.Model {
	t.Helper()
	if err := classify.InitRuntime(); errors.Is(err, classify.ErrRuntimeMissing) {
		t.Skipf("ONNX Runtime absent, run scripts/setup.sh to install it: %v", err)
	}
	dir, err := models.DefaultDir()
	if err != nil {
		t.Fatal(err)
	}
	m, err := classify.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// docsChange is a documentation commit as the bot sees it.
func docsChange() classify.Commit {
	return classify.Commit{Subject: "explain widget setup in the guide, part 999", FilesChanged: 1, Additions: 2,
		Files: []classify.File{{Path: "docs/guide3.md", Status: "M", Additions: 2}}}
}

// publishedModel loads a version of a repository's models from the store.
func publishedModel(t *testing.T, env *Env, repo string, version int) *classify.Classifier {
	t.Helper()
	rec, ok, err := env.DB.RepositoryModel(context.Background(), repo, version)
	if err != nil || !ok {
		t.Fatalf("model %d of %s: %v, found %v", version, repo, err, ok)
	}
	dir := t.TempDir()
	if err := classify.ExtractArchive(rec.Files, dir); err != nil {
		t.Fatal(err)
	}
	c, err := classify.LoadClassifier(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// topLabel is the label a model ranks first for a commit.
func topLabel(t *testing.T, m *classify.Classifier, c classify.Commit) string {
	t.Helper()
	preds, err := m.Classify(context.Background(), []classify.Commit{c})
	if err != nil {
		t.Fatal(err)
	}
	return preds[0].Scores[0].Label
}

// TestLearnAndPublish learns a repository whose documentation commits are
// typed chore: cloned, extracted, labeled and learned, its model is
// published, labels a documentation change chore where the shipped model
// says docs, and the phases are in the runs table. A repository without a
// labeled history publishes a rejected version that serves nothing.
func TestLearnAndPublish(t *testing.T) {
	global := shippedModel(t)
	ctx := context.Background()
	env := newTestEnv(t)
	env.Options.Workdir = filepath.Join(t.TempDir(), "clones")
	repo := gittest.ConventionalHistory(t, 400, "chore", nil)

	out, err := LearnAndPublish(ctx, env, global, Target{Repo: "acme/app", CloneURL: repo.Dir})
	if err != nil {
		t.Fatal(err)
	}
	if !out.Learned.Accepted || out.Learned.Commits != 400 || out.Version != 1 || len(out.Results) != 4 {
		t.Fatalf("outcome %+v, learned %+v: want 400 commits learned, accepted, version 1, four phases", out, out.Learned)
	}
	if v, err := env.DB.ServedModelVersion(ctx, "acme/app"); err != nil || v != 1 {
		t.Fatalf("served version %d (%v), want 1", v, err)
	}
	for _, tc := range []struct {
		name  string
		model *classify.Classifier
		want  string
	}{{"shipped", classify.NewClassifier(global), "docs"}, {"learned", publishedModel(t, env, "acme/app", 1), "chore"}} {
		if got := topLabel(t, tc.model, docsChange()); got != tc.want {
			t.Errorf("%s model labels a documentation change %s, want %s", tc.name, got, tc.want)
		}
	}
	runs, err := env.DB.Runs(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	var phases []string
	for _, r := range runs {
		phases = append([]string{r.Phase}, phases...)
	}
	if len(phases) != 4 || phases[3] != PhaseLearn {
		t.Errorf("runs recorded %v, want clone extract label learn", phases)
	}

	// The clone phase counts the clone it made.
	if clone := out.Results[0]; clone.Counts["cloned"] != 1 || clone.Counts["fetched"] != 0 {
		t.Errorf("first clone run counts %v, want cloned 1", clone.Counts)
	}
	// Learning again the same history and labels fetches and publishes
	// nothing new; a new labeled commit publishes the next version.
	for _, tc := range []struct {
		name      string
		commit    string
		version   int
		unchanged bool
	}{{"unchanged", "", 1, true}, {"a new commit", "docs: explain the new option", 2, false}} {
		if tc.commit != "" {
			repo.Write("NEWS.md", []byte(tc.commit+"\n"))
			repo.Commit(tc.commit)
		}
		out, err = LearnAndPublish(ctx, env, global, Target{Repo: "acme/app", CloneURL: repo.Dir})
		if err != nil || out.Version != tc.version || out.Unchanged != tc.unchanged || out.Results[0].Counts["fetched"] != 1 {
			t.Fatalf("learning again, %s: version %d, unchanged %t, clone counts %v, err %v; want version %d, unchanged %t, fetched 1",
				tc.name, out.Version, out.Unchanged, out.Results[0].Counts, err, tc.version, tc.unchanged)
		}
	}

	bare := gittest.New(t)
	bare.Write("README.md", []byte("hello\n"))
	bare.Commit("Initial commit")
	out, err = LearnAndPublish(ctx, env, global, Target{Repo: "acme/plain", CloneURL: bare.Dir})
	if err != nil || out.Learned.Accepted || out.Learned.Reason == "" || out.Version != 1 {
		t.Fatalf("a repository without a labeled history: %+v, %v", out, err)
	}
	if v, _ := env.DB.ServedModelVersion(ctx, "acme/plain"); v != 0 {
		t.Errorf("served version %d of a rejected learning, want 0: the global model serves", v)
	}
}
