package classify_test

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"os"
	"testing"

	commitlabeler "github.com/commit-labeler/commit-labeler"

	"github.com/commit-labeler/commit-labeler/classify"
)

// corpusDevPath is the development corpus (DATA.md).
const corpusDevPath = "../../shared/data/commits-dev.jsonl.gz"

// corpusTestsEnv enables the tests that train on the whole corpus.
const corpusTestsEnv = "COMMIT_LABELER_CORPUS_TESTS"

// corpusFile is one record of the corpus, as DATA.md describes it.
type corpusFile struct {
	Path      string `json:"path"`
	OldPath   string `json:"old_path"`
	Status    string `json:"status"`
	Additions int    `json:"additions"`
	Deletions int    `json:"deletions"`
	Binary    bool   `json:"binary"`
}

type corpusRecord struct {
	Repo         string       `json:"repo"`
	SHA          string       `json:"sha"`
	Subject      string       `json:"subject"`
	Body         string       `json:"body"`
	Diff         string       `json:"diff"`
	Files        []corpusFile `json:"files"`
	FilesChanged int          `json:"files_changed"`
	Additions    int          `json:"additions"`
	Deletions    int          `json:"deletions"`
	AuthorIsBot  bool         `json:"author_is_bot"`
	Labels       []string     `json:"labels"`
}

// corpusExamples reads the development corpus into examples, skipping unless
// corpusTestsEnv is 1 and the corpus is there.
func corpusExamples(tb testing.TB) []classify.Example {
	tb.Helper()
	if os.Getenv(corpusTestsEnv) != "1" {
		tb.Skipf("corpus tests off: set %s=1 to train on %s", corpusTestsEnv, corpusDevPath)
	}
	f, err := os.Open(corpusDevPath)
	if os.IsNotExist(err) {
		tb.Skip("../shared/data absent: no development corpus to train on")
	}
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		tb.Fatalf("%s: %v", corpusDevPath, err)
	}
	var examples []classify.Example
	sc := bufio.NewScanner(gz)
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		var r corpusRecord
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			tb.Fatalf("%s: record %d: %v", corpusDevPath, len(examples)+1, err)
		}
		c := classify.Commit{Subject: r.Subject, Body: r.Body, Diff: r.Diff, FilesChanged: r.FilesChanged,
			Additions: r.Additions, Deletions: r.Deletions, AuthorIsBot: r.AuthorIsBot}
		for _, fl := range r.Files {
			c.Files = append(c.Files, classify.File{Path: fl.Path, OldPath: fl.OldPath, Status: fl.Status,
				Additions: fl.Additions, Deletions: fl.Deletions, Binary: fl.Binary})
		}
		feats := classify.BuildFeatures(c)
		examples = append(examples, classify.Example{ID: r.Repo + "/" + r.SHA, Repo: r.Repo, Features: &feats, Labels: r.Labels})
	}
	if err := sc.Err(); err != nil {
		tb.Fatalf("%s: %v", corpusDevPath, err)
	}
	return examples
}

// TestEmbedBagOnCorpus trains the default embed_bag model on the
// development corpus with a quarter of the repositories held out and
// reports its cross-repository scores.
func TestEmbedBagOnCorpus(t *testing.T) {
	requireRuntime(t)
	examples := corpusExamples(t)
	train, valid := classify.SplitByRepo(examples, 0.25, 1)
	in := classify.TrainInput{Labels: commitlabeler.Default().Names(), Train: train, Valid: valid,
		Options: classify.TrainOptions{Seed: 1}}
	meta, err := classify.Train(t.Context(), classify.KindEmbedBag, in, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	m := meta.Metrics
	t.Logf("embed_bag on %d training commits, %d held out (%d repositories): macro-F1 %.4f, accuracy %.4f, "+
		"applied precision %.4f at coverage %.4f, trained in %.1fs",
		len(train), len(valid), len(meta.ValidRepos), m.MacroF1, m.Accuracy, m.AppliedPrecision, m.AppliedCoverage, meta.TrainSeconds)
	if m.MacroF1 < 0.3 {
		t.Errorf("macro-F1 %.4f on held-out repositories, want ≥ 0.3", m.MacroF1)
	}
}
