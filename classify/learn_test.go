package classify_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	commitlabeler "github.com/commit-labeler/commit-labeler"
	"github.com/commit-labeler/commit-labeler/classify"
)

// bumpExample is a dependency bump of repo labeled label: the global
// corpus calls them build, some repositories chore.
func bumpExample(repo string, i int, label string) classify.Example {
	c := classify.Commit{
		Subject: fmt.Sprintf("bump lodash from 4.17.%d to 4.17.%d", i, i+1), FilesChanged: 2, Additions: 3, Deletions: 3,
		Files: []classify.File{{Path: "package.json", Status: "M", Additions: 1, Deletions: 1}, {Path: "package-lock.json", Status: "M", Additions: 2, Deletions: 2}},
	}
	f := classify.BuildFeatures(c)
	return classify.Example{ID: fmt.Sprintf("%s@bump%d", repo, i), Repo: repo, Features: &f, Labels: []string{label}}
}

// globalModel trains the global model of the learning tests: synthetic
// commits of six repositories whose dependency bumps are build.
func globalModel(t *testing.T) classify.Model {
	t.Helper()
	m, err := classify.Load(globalModelDir(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// globalModelDir trains globalModel into a directory and returns it.
func globalModelDir(t *testing.T) string {
	t.Helper()
	requireRuntime(t)
	examples := syntheticExamples(300)
	for i := range 60 {
		examples = append(examples, bumpExample(fmt.Sprintf("org/repo%d", i%6), i, "build"))
	}
	dir := filepath.Join(t.TempDir(), "global")
	cfg := classify.DefaultTfidfConfig()
	cfg.Dims = 1 << 12 // a small vocabulary: fast to fit
	if _, err := classify.Train(context.Background(), classify.KindTfidfLogreg, classify.TrainInput{
		Labels: commitlabeler.Default().Names(), Train: examples, Options: classify.TrainOptions{Seed: 1, ThresholdFolds: 3, Tfidf: &cfg},
	}, dir); err != nil {
		t.Fatal(err)
	}
	return dir
}

// history is n commits of acme/app, oldest first, every third a
// dependency bump labeled bumps.
func history(n int, bumps string) []classify.Example {
	synthetic := syntheticExamples(n)
	out := make([]classify.Example, n)
	for i := range out {
		if i%3 == 0 {
			out[i] = bumpExample("acme/app", i, bumps)
		} else {
			out[i] = synthetic[i]
			out[i].Repo, out[i].ID = "acme/app", fmt.Sprint("acme/app@", i)
		}
		out[i].Time = int64(1_700_000_000 + i*3600)
	}
	return out
}

func predictBump(t *testing.T, m classify.Model) string {
	t.Helper()
	preds, err := classify.NewClassifier(m).ClassifyFeatures(t.Context(), []*classify.Features{bumpExample("acme/app", 999, "").Features})
	if err != nil {
		t.Fatal(err)
	}
	return preds[0].Scores[0].Label
}

// TestLearnRepositoryLearnsItsConventions: a repository that calls its
// dependency bumps chore gets a model that says chore where the global
// one says build, judged better on its newest commits.
func TestLearnRepositoryLearnsItsConventions(t *testing.T) {
	global := globalModel(t)
	if got := predictBump(t, global); got != "build" {
		t.Fatalf("global model labels a bump %s, want build", got)
	}
	dir := filepath.Join(t.TempDir(), "acme")
	// Shuffled: learning orders the history by time itself.
	h := history(300, "chore")
	slices.Reverse(h)
	learned, err := classify.LearnRepository(t.Context(), global, h, dir, classify.LearnOptions{Repository: "acme/app"})
	if err != nil {
		t.Fatal(err)
	}
	if !learned.Accepted || learned.Commits != 300 || learned.ValidCommits != 60 {
		t.Fatalf("learned %+v: want accepted, 300 commits, the newest 60 compared", learned)
	}
	if learned.Learned.MacroF1 <= learned.Global.MacroF1 {
		t.Errorf("repository model macro-F1 %.3f, global %.3f", learned.Learned.MacroF1, learned.Global.MacroF1)
	}
	m, err := classify.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if got := predictBump(t, m); got != "chore" {
		t.Errorf("repository model labels a bump %s, want chore", got)
	}
	meta := m.Meta()
	if meta.Learned == nil || meta.Learned.Repository != "acme/app" || !slices.Equal(meta.TrainRepos, []string{"acme/app"}) ||
		meta.TrainExamples != 300 || len(meta.Thresholds) == 0 || meta.Learned.BaseFingerprint != global.Meta().Fingerprint {
		t.Errorf("model.json %+v: want the learning, its repository, examples, thresholds and base recorded", meta)
	}
}

// TestLearnRepositoryFromAnEnsemble: under an ensemble of tfidf_logreg
// and a fine-tuned transformer, a repository model is learned from the
// linear member and judged against the ensemble.
func TestLearnRepositoryFromAnEnsemble(t *testing.T) {
	labels := commitlabeler.Default().Names()
	imported := filepath.Join(t.TempDir(), "transformer")
	valid := history(60, "build")
	in := classify.TrainInput{Labels: labels, Train: syntheticExamples(60), Valid: valid,
		Options: classify.TrainOptions{Import: writeFineTuned(t, fineTuned)}}
	if _, err := classify.Train(t.Context(), classify.KindTransformer, in, imported); err != nil {
		t.Fatal(err)
	}
	in.Options.Members = []string{globalModelDir(t), imported}
	dir := filepath.Join(t.TempDir(), "ensemble")
	if _, err := classify.Train(t.Context(), classify.KindEnsemble, in, dir); err != nil {
		t.Fatal(err)
	}
	global, err := classify.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer global.Close()
	learned, err := classify.LearnRepository(t.Context(), global, history(300, "chore"), filepath.Join(t.TempDir(), "acme"), classify.LearnOptions{Repository: "acme/app"})
	if err != nil {
		t.Fatal(err)
	}
	if !learned.Accepted || learned.Learned.MacroF1 <= learned.Global.MacroF1 {
		t.Fatalf("learned %+v: want a repository model accepted over the ensemble", learned)
	}
}

// TestLearnRepositoryKeepsTheGlobalModel: a model that does no better
// than the global one, or a history too short to judge, is not written.
func TestLearnRepositoryKeepsTheGlobalModel(t *testing.T) {
	global := globalModel(t)
	for _, tc := range []struct {
		name    string
		history []classify.Example
	}{
		{"same conventions", history(300, "build")},
		{"short history", history(classify.MinLearnCommits-1, "chore")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "acme")
			learned, err := classify.LearnRepository(t.Context(), global, tc.history, dir, classify.LearnOptions{Repository: "acme/app"})
			if err != nil {
				t.Fatal(err)
			}
			if learned.Accepted || learned.Reason == "" {
				t.Errorf("learned %+v: want rejected with a reason", learned)
			}
			if _, err := os.Stat(dir); !os.IsNotExist(err) {
				t.Errorf("%s exists (%v): a rejected model must not be written", dir, err)
			}
		})
	}
}
