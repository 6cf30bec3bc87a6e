package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/commit-labeler/commit-labeler/checkrun"
	"github.com/commit-labeler/commit-labeler/classify"
	"github.com/commit-labeler/commit-labeler/models"
	"github.com/commit-labeler/commit-labeler/store"
)

// repositoryModelArchive is the shipped model repackaged as a repository
// model of the example repository: model.json says how it was learned.
func repositoryModelArchive(t *testing.T) []byte {
	t.Helper()
	if err := classify.InitRuntime(); errors.Is(err, classify.ErrRuntimeMissing) {
		t.Skipf("ONNX Runtime absent, run scripts/setup.sh to install it: %v", err)
	}
	src, err := models.DefaultDir()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, name := range []string{classify.ModelFile, classify.MetaFile} {
		data, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	meta, err := classify.ReadMeta(dir)
	if err != nil {
		t.Fatal(err)
	}
	meta.Learned = &classify.Learned{
		Repository: exOwner + "/" + exRepo, Commits: 480, ValidCommits: 96, Accepted: true,
		Global:  &classify.Metrics{MacroF1: 0.41},
		Learned: &classify.Metrics{MacroF1: 0.63, AppliedPrecision: 0.88, AppliedCoverage: 0.61},
	}
	if err := classify.WriteMeta(dir, meta); err != nil {
		t.Fatal(err)
	}
	data, err := classify.ArchiveDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// syncBuffer is a log buffer that deliveries may write concurrently.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestRepositoryModelServesItsRepository: a model the learning worker
// published decides the next pull request without a restart and the
// check run names it; a version that fails to load is refused by name
// while the one before keeps serving.
func TestRepositoryModelServesItsRepository(t *testing.T) {
	archive := repositoryModelArchive(t)
	var logs syncBuffer
	var models *RepositoryModels
	f := newBotFixture(t, func(c *HandlersConfig) {
		var err error
		if models, err = NewRepositoryModels(c.Store, filepath.Join(t.TempDir(), "models"), time.Nanosecond, slog.New(slog.NewTextHandler(&logs, nil))); err != nil {
			t.Fatal(err)
		}
		c.RepositoryModels = models
	})
	t.Cleanup(models.Close)
	ctx := context.Background()
	f.model.set("readme", "docs", 0.91)
	opened := f.pullExample("opened", "Update the README with new information.", human, nil)
	summary := func() string {
		t.Helper()
		runs := f.checkRuns(checkrun.PullName)
		return runs[len(runs)-1].GetOutput().GetSummary()
	}

	// servedBy is the model the stored prediction of the pull request
	// records: the admin page says by it which model decided.
	servedBy := func() int {
		t.Helper()
		preds, err := f.db.BotPredictions(ctx, exOwner+"/"+exRepo)
		if err != nil || len(preds) != 1 {
			t.Fatalf("stored predictions %+v, %v", preds, err)
		}
		return preds[0].ModelVersion
	}

	f.mustDeliver("pull_request", opened)
	if got := summary(); !strings.Contains(got, "Decided by the global model.") {
		t.Fatalf("before any repository model: summary %q", got)
	}
	if v := servedBy(); v != 0 {
		t.Errorf("prediction by the global model records model version %d, want 0", v)
	}
	report, _ := json.Marshal(map[string]any{"accepted": true})
	publish := func(files []byte) {
		t.Helper()
		if _, err := f.db.PublishRepositoryModel(ctx, store.RepositoryModel{Repo: exOwner + "/" + exRepo, Accepted: true, Commits: 480, Report: report, Files: files}); err != nil {
			t.Fatal(err)
		}
	}
	publish(archive)
	f.mustDeliver("pull_request", opened)
	want := "Decided by this repository's own model (version 1, learned from 480 commits; on its newest 96 commits precision 0.88 labeling 61%, the global model's macro-F1 0.41 → 0.63)."
	if got := summary(); !strings.Contains(got, want) {
		t.Fatalf("summary %q lacks %q", got, want)
	}
	if v := servedBy(); v != 1 {
		t.Errorf("prediction by the repository's model records model version %d, want 1", v)
	}
	calls := len(f.model.calls)

	publish([]byte("not an archive"))
	f.mustDeliver("pull_request", opened)
	if got := summary(); !strings.Contains(got, "(version 1,") {
		t.Errorf("after a broken version 2: summary %q, want version 1 still serving", got)
	}
	if v := servedBy(); v != 1 {
		t.Errorf("after a broken version 2: prediction records model version %d, want 1", v)
	}
	if !strings.Contains(logs.String(), "repository model refused") || !strings.Contains(logs.String(), "version=2") {
		t.Errorf("logs lack the refused version 2:\n%s", logs.String())
	}
	if len(f.model.calls) != calls {
		t.Errorf("the global model classified %d more pull requests of a repository with its own model", len(f.model.calls)-calls)
	}
}
