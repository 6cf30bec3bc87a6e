package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"testing"

	"github.com/commit-labeler/commit-labeler/classify"
	"github.com/commit-labeler/commit-labeler/internal/testkind"
)

// TestWriteTextsSplitsAsTrainModels: the texts leave out the hold-out and
// mark as valid exactly the repositories the train phase validates on, so
// that a model fine-tuned on them is calibrated on repositories it never saw.
func TestWriteTextsSplitsAsTrainModels(t *testing.T) {
	ctx := context.Background()
	env := newCorpusEnv(t, 6, 10)
	repos, err := env.DB.Repositories(ctx)
	if err != nil {
		t.Fatal(err)
	}
	env.Options.HoldoutRepos = []string{repos[0].Name}
	env.Options.Models, env.Options.ModelsOut = []string{testkind.Name}, t.TempDir()
	if _, err := TrainModels(ctx, env); err != nil {
		t.Fatal(err)
	}
	meta, err := classify.ReadMeta(filepath.Join(env.Options.ModelsOut, testkind.Name))
	if err != nil {
		t.Fatal(err)
	}

	var out bytes.Buffer
	counts, err := WriteTexts(ctx, env, classify.TextSubjectPaths, &out)
	if err != nil {
		t.Fatal(err)
	}
	wantCounts(t, counts, Counts{CountTrainExamples: int64(meta.TrainExamples), CountValidExamples: int64(meta.ValidExamples)})
	trainRepos, validRepos := map[string]bool{}, map[string]bool{}
	dec := json.NewDecoder(&out)
	for dec.More() {
		var r TextRecord
		if err := dec.Decode(&r); err != nil {
			t.Fatal(err)
		}
		if r.Text == "" || len(r.Labels) == 0 || r.ID == "" {
			t.Fatalf("record %+v: want an id, labels and a text", r)
		}
		if r.Valid {
			validRepos[r.Repo] = true
		} else {
			trainRepos[r.Repo] = true
		}
	}
	keys := func(m map[string]bool) []string {
		out := make([]string, 0, len(m))
		for k := range m {
			out = append(out, k)
		}
		slices.Sort(out)
		return out
	}
	if !slices.Equal(keys(trainRepos), meta.TrainRepos) || !slices.Equal(keys(validRepos), meta.ValidRepos) {
		t.Errorf("texts train on %v and validate on %v; the train phase on %v and %v", keys(trainRepos), keys(validRepos), meta.TrainRepos, meta.ValidRepos)
	}

	if _, err := WriteTexts(ctx, env, "diff", &out); err == nil {
		t.Error("an unknown text recipe was accepted")
	}
}
