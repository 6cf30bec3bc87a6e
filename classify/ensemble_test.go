package classify_test

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/commit-labeler/commit-labeler/classify"
	"github.com/commit-labeler/commit-labeler/internal/testkind"
)

// ensembleFixture trains the members an ensemble test combines: one over
// every label in reverse order and one lacking the label "test", so the
// ensemble must align both by name.
type ensembleFixture struct {
	in      classify.TrainInput
	members []string
}

func newEnsembleFixture(t *testing.T) ensembleFixture {
	t.Helper()
	requireRuntime(t)
	testkind.Register()
	examples := testkind.Examples(testkind.Corpus(4, 40))
	train, valid := classify.SplitByRepo(examples, 0.3, 1)
	if len(train) == 0 || len(valid) == 0 {
		t.Fatalf("split %d/%d: want both sides", len(train), len(valid))
	}
	fx := ensembleFixture{in: classify.TrainInput{Labels: testkind.Labels, Train: train, Valid: valid}}
	root := t.TempDir()
	for _, m := range []struct {
		name   string
		labels []string
	}{
		{"reversed", []string{"test", "docs", "fix", "feat"}},
		{"no-test", []string{"fix", "feat", "docs"}},
	} {
		in := fx.in
		in.Labels = m.labels
		dir := filepath.Join(root, m.name)
		if _, err := classify.Train(context.Background(), testkind.Name, in, dir); err != nil {
			t.Fatal(err)
		}
		fx.members = append(fx.members, dir)
	}
	return fx
}

func (fx ensembleFixture) train(t *testing.T, vote string) (string, *classify.Meta) {
	t.Helper()
	in := fx.in
	in.Options.Members = fx.members
	in.Options.Vote = vote
	dir := filepath.Join(t.TempDir(), "ensemble")
	meta, err := classify.Train(context.Background(), classify.KindEnsemble, in, dir)
	if err != nil {
		t.Fatal(err)
	}
	return dir, meta
}

// alignedMember returns a member's uncalibrated probabilities (as an
// ensemble combines them) mapped onto labels by name and renormalised over
// the labels it shares with them.
func alignedMember(t *testing.T, dir string, labels []string, feats []*classify.Features) [][]float64 {
	t.Helper()
	m, err := classify.Load(uncalibratedCopy(t, dir))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	probs, err := m.Probabilities(context.Background(), feats)
	if err != nil {
		t.Fatal(err)
	}
	out := make([][]float64, len(probs))
	for n, row := range probs {
		out[n] = make([]float64, len(labels))
		var sum float64
		for i, l := range labels {
			if c := slices.Index(m.Meta().Labels, l); c >= 0 {
				out[n][i] = float64(row[c])
				sum += float64(row[c])
			}
		}
		for i := range out[n] {
			out[n][i] /= sum
		}
	}
	return out
}

// uncalibratedCopy copies a model directory without its calibration.
func uncalibratedCopy(t *testing.T, dir string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), filepath.Base(dir))
	if err := os.CopyFS(out, os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	meta, err := classify.ReadMeta(out)
	if err != nil {
		t.Fatal(err)
	}
	if meta.Temperature == 0 && len(meta.TopCalibration) == 0 {
		t.Fatalf("member %s is not calibrated: the test would not tell calibrated members from uncalibrated", dir)
	}
	meta.Temperature, meta.TopCalibration = 0, nil
	if err := classify.WriteMeta(out, meta); err != nil {
		t.Fatal(err)
	}
	return out
}

func argmax64(p []float64) int {
	best := 0
	for i, v := range p {
		if v > p[best] {
			best = i
		}
	}
	return best
}

// expectedEnsemble computes the combination in plain Go.
func expectedEnsemble(members [][][]float64, weights []float64, majority bool) [][]float64 {
	out := make([][]float64, len(members[0]))
	tie := slices.Min(weights) / 2
	for n := range out {
		soft := make([]float64, len(members[0][n]))
		votes := make([]float64, len(soft))
		for m, rows := range members {
			for l, p := range rows[n] {
				soft[l] += weights[m] * p
			}
			votes[argmax64(rows[n])] += weights[m]
		}
		out[n] = soft
		if majority {
			for l := range votes {
				votes[l] = (votes[l] + tie*soft[l]) / (1 + tie)
			}
			out[n] = votes
		}
	}
	return out
}

func TestEnsembleCombinesAlignedMembers(t *testing.T) {
	fx := newEnsembleFixture(t)
	feats := featuresOfExamples(fx.in.Valid)
	var members [][][]float64
	for _, dir := range fx.members {
		members = append(members, alignedMember(t, dir, fx.in.Labels, feats))
	}
	for _, vote := range []string{classify.VoteSoft, classify.VoteMajority, classify.VoteWeighted} {
		t.Run(vote, func(t *testing.T) {
			dir, meta := fx.train(t, vote)
			var cfg classify.EnsembleConfig
			if err := json.Unmarshal(meta.Config, &cfg); err != nil {
				t.Fatal(err)
			}
			if cfg.Vote != vote || !slices.Equal(cfg.Members, []string{"members/reversed", "members/no-test"}) {
				t.Fatalf("config = %+v", cfg)
			}
			if math.Abs(cfg.Weights[0]+cfg.Weights[1]-1) > 1e-9 {
				t.Fatalf("weights %v do not sum to 1", cfg.Weights)
			}
			for _, f := range []string{"model.onnx", "members/reversed/model.onnx", "members/no-test/model.json"} {
				if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
					t.Fatalf("ensemble directory lacks %s: %v", f, err)
				}
			}
			if meta.Metrics == nil || meta.Metrics.MacroF1 < 0.5 || len(meta.TrainRepos) == 0 {
				t.Fatalf("metrics %+v, train repos %v", meta.Metrics, meta.TrainRepos)
			}

			checkEnsembleRows(t, dir, meta, members, cfg, fx.in.Valid)
		})
	}
}

// checkEnsembleRows checks the ensemble in dir gives each example the
// calibrated combination of its members' aligned rows.
func checkEnsembleRows(t *testing.T, dir string, meta *classify.Meta, members [][][]float64, cfg classify.EnsembleConfig, examples []classify.Example) {
	t.Helper()
	m, err := classify.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	got, err := m.Probabilities(context.Background(), featuresOfExamples(examples))
	if err != nil {
		t.Fatal(err)
	}
	want := expectedEnsemble(members, cfg.Weights, cfg.Vote == classify.VoteMajority)
	for n := range want {
		row := make([]float32, len(want[n]))
		for l, p := range want[n] {
			row[l] = float32(p)
		}
		meta.Calibrate(row) // the calibration model.json carries
		for l, p := range row {
			want[n][l] = float64(p)
		}
		compare(t, "row "+examples[n].ID, got[n], want[n])
	}
}

func featuresOfExamples(examples []classify.Example) []*classify.Features {
	feats := make([]*classify.Features, len(examples))
	for i := range examples {
		feats[i] = examples[i].Features
	}
	return feats
}

// TestEnsembleWithFineTunedTransformer: an imported transformer joins an
// ensemble beside a model trained here; the weights are fitted on the
// validation repositories, the combination is calibrated on them, and the
// ensemble serves the weighted mean of both.
func TestEnsembleWithFineTunedTransformer(t *testing.T) {
	fx := newEnsembleFixture(t)
	imported := filepath.Join(t.TempDir(), "transformer")
	in := fx.in
	in.Options.Import = writeFineTuned(t, fineTuned)
	if _, err := classify.Train(context.Background(), classify.KindTransformer, in, imported); err != nil {
		t.Fatal(err)
	}
	in.Options.Members = []string{fx.members[0], imported}
	in.Options.ThresholdFolds = 4
	dir := filepath.Join(t.TempDir(), "ensemble")
	meta, err := classify.Train(context.Background(), classify.KindEnsemble, in, dir)
	if err != nil {
		t.Fatal(err)
	}
	var cfg classify.EnsembleConfig
	if err := json.Unmarshal(meta.Config, &cfg); err != nil {
		t.Fatal(err)
	}
	if len(cfg.Weights) != 2 || math.Abs(cfg.Weights[0]+cfg.Weights[1]-1) > 1e-9 || cfg.Weights[0] == 0.5 {
		t.Fatalf("weights %v: want two fitted on the validation repositories, summing to 1", cfg.Weights)
	}
	if meta.Temperature <= 0 || meta.ThresholdFolds != 0 || len(meta.OperatingPoints) == 0 {
		t.Fatalf("temperature %v, %d threshold folds, %d operating points: want calibrated and tuned on the validation repositories",
			meta.Temperature, meta.ThresholdFolds, len(meta.OperatingPoints))
	}
	feats := featuresOfExamples(fx.in.Valid)
	members := [][][]float64{alignedMember(t, fx.members[0], fx.in.Labels, feats), alignedMember(t, imported, fx.in.Labels, feats)}
	checkEnsembleRows(t, dir, meta, members, cfg, fx.in.Valid)
}

func TestEnsembleWeightsAreDeterministicAndExplained(t *testing.T) {
	fx := newEnsembleFixture(t)
	a, metaA := fx.train(t, classify.VoteWeighted)
	_, metaB := fx.train(t, classify.VoteWeighted)
	if string(metaA.Config) != string(metaB.Config) {
		t.Fatalf("two trainings differ:\n%s\n%s", metaA.Config, metaB.Config)
	}
	c, err := classify.LoadClassifier(a)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	preds, err := c.Classify(context.Background(), []classify.Commit{{Subject: "document the widget",
		Files: []classify.File{{Path: "docs/widget1.md", Status: "M", Additions: 3, Deletions: 1}}, FilesChanged: 1, Additions: 3, Deletions: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if preds[0].Scores[0].Label != "docs" || len(preds[0].Reasons) == 0 {
		t.Fatalf("prediction %+v: want docs with the first member's reasons", preds[0])
	}
}

func TestEnsembleTrainErrors(t *testing.T) {
	fx := newEnsembleFixture(t)
	for _, tc := range []struct {
		name    string
		members []string
		vote    string
		want    string
	}{
		{"no members", nil, "", "no member models"},
		{"bad vote", fx.members, "unanimous", `vote "unanimous"`},
		{"not a model", []string{t.TempDir()}, "", "model.json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := fx.in
			in.Options.Members, in.Options.Vote = tc.members, tc.vote
			_, err := classify.Train(context.Background(), classify.KindEnsemble, in, t.TempDir())
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}
