package pipeline

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/commit-labeler/commit-labeler/classify"
	"github.com/commit-labeler/commit-labeler/internal/testkind"
)

// newCorpusEnv returns an environment whose store holds the synthetic
// corpus of testkind (repos repositories), imported as a corpus file is.
func newCorpusEnv(t *testing.T, repos, perRepo int) *Env {
	t.Helper()
	testkind.Require(t)
	env := newTestEnv(t)
	path := filepath.Join(t.TempDir(), "corpus.jsonl")
	testkind.WriteJSONL(t, path, testkind.Corpus(repos, perRepo))
	if _, err := Import(context.Background(), env, path); err != nil {
		t.Fatal(err)
	}
	return env
}

func TestTrainModels(t *testing.T) {
	ctx := context.Background()
	env := newCorpusEnv(t, 4, 30)
	// Features missing for some commits are built on the fly.
	if _, err := env.DB.SQL().ExecContext(ctx, `DELETE FROM features WHERE commit_id % 5 = 0`); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	env.Options.Models = []string{testkind.Name, testkind.NameChars}
	env.Options.ModelsOut = out
	counts, err := TrainModels(ctx, env)
	if err != nil {
		t.Fatal(err)
	}
	wantCounts(t, counts, Counts{CountExamples: 120, CountFeaturesBuilt: 24})
	if counts[CountTrainExamples] == 0 || counts[CountValidExamples] == 0 ||
		counts[CountTrainExamples]+counts[CountValidExamples] != 120 || counts[CountValidRepos] == 0 {
		t.Fatalf("split: %v", counts)
	}
	for _, kind := range []string{testkind.Name, testkind.NameChars, classify.KindEnsemble} {
		if counts[kind+"_macro_f1_x1000"] < 500 {
			t.Errorf("%s macro-F1 %d‰ (counts %v)", kind, counts[kind+"_macro_f1_x1000"], counts)
		}
		meta, err := classify.ReadMeta(filepath.Join(out, kind))
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(meta.Labels, testkind.Labels) || int64(meta.ValidExamples) != counts[CountValidExamples] || len(meta.TrainRepos) == 0 {
			t.Errorf("%s model.json: labels %v, valid %d, train repos %v", kind, meta.Labels, meta.ValidExamples, meta.TrainRepos)
		}
	}
}

func TestTrainModelsErrors(t *testing.T) {
	testkind.Require(t)
	for _, tc := range []struct {
		name   string
		models []string
		want   string
	}{
		{"unknown kind", []string{"nonesuch"}, `unknown model kind "nonesuch"`},
		{"ensemble alone", []string{classify.KindEnsemble}, "several kinds"},
		{"empty store", []string{testkind.Name}, "no labeled commits"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := newTestEnv(t)
			env.Options.Models, env.Options.ModelsOut = tc.models, t.TempDir()
			if _, err := TrainModels(context.Background(), env); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestTrainModelsHoldsOutRepositories(t *testing.T) {
	ctx := context.Background()
	env := newCorpusEnv(t, 5, 20)
	repos, err := env.DB.Repositories(ctx)
	if err != nil {
		t.Fatal(err)
	}
	held := repos[0].Name
	env.Options.Models = []string{testkind.Name}
	env.Options.ModelsOut = t.TempDir()
	env.Options.HoldoutRepos = []string{held}
	counts, err := TrainModels(ctx, env)
	if err != nil {
		t.Fatal(err)
	}
	wantCounts(t, counts, Counts{CountExamples: 80, CountHeldOut: 20})
	meta, err := classify.ReadMeta(filepath.Join(env.Options.ModelsOut, testkind.Name))
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(meta.TrainRepos, held) || slices.Contains(meta.ValidRepos, held) {
		t.Fatalf("held-out %s was trained or validated on: %v / %v", held, meta.TrainRepos, meta.ValidRepos)
	}
}

func TestTrainModelsMaxExamples(t *testing.T) {
	ctx := context.Background()
	env := newCorpusEnv(t, 4, 30)
	env.Options.Models = []string{testkind.Name}
	env.Options.MaxExamples = 50
	var trained [][]string
	for range 2 {
		env.Options.ModelsOut = t.TempDir()
		counts, err := TrainModels(ctx, env)
		if err != nil {
			t.Fatal(err)
		}
		wantCounts(t, counts, Counts{CountExamples: 50, CountSampledOut: 70})
		meta, err := classify.ReadMeta(filepath.Join(env.Options.ModelsOut, testkind.Name))
		if err != nil {
			t.Fatal(err)
		}
		if meta.TrainExamples+meta.ValidExamples != 50 {
			t.Fatalf("trained %d + validated %d, want 50", meta.TrainExamples, meta.ValidExamples)
		}
		trained = append(trained, append(slices.Clone(meta.TrainRepos), meta.ValidRepos...))
	}
	if !slices.Equal(trained[0], trained[1]) {
		t.Fatalf("the same seed drew different samples: %v, %v", trained[0], trained[1])
	}
}
