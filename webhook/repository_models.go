package webhook

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/commit-labeler/commit-labeler/checkrun"
	"github.com/commit-labeler/commit-labeler/classify"
	"github.com/commit-labeler/commit-labeler/store"
)

// RepositoryModels serves each repository the newest accepted model the
// learning worker published for it in the store, falling back to the
// global model. A process notices a new version within the refresh
// interval, without restart; a version that fails to load is logged with
// its number and skipped, and the model serving before keeps serving.
type RepositoryModels struct {
	db      *store.DB
	dir     string
	refresh time.Duration
	log     *slog.Logger

	mu     sync.Mutex
	byRepo map[string]*repositoryModel
}

// repositoryModel is one repository's serving state.
type repositoryModel struct {
	// check serialises looking for and loading a newer version.
	check   sync.Mutex
	checked time.Time
	// tried is the newest version looked at, loaded or not.
	tried int
	// mu guards current, which holds one reference to its model.
	mu      sync.Mutex
	current *ServedModel
}

// ServedModel is the model labeling a repository.
type ServedModel struct {
	// Classifier labels the repository's commits.
	Classifier
	// Version is the repository model's version; 0 for the global model.
	Version int
	// Learned is how the repository model was learned (nil: global).
	Learned *classify.Learned

	// refs counts the deliveries using a repository model, plus one while
	// it is the one serving: the last to let go closes it.
	refs  atomic.Int64
	close func() error
}

// explained is what the check runs say of the model.
func (s *ServedModel) explained() checkrun.Model {
	return checkrun.Model{Version: s.Version, Learned: s.Learned}
}

// release lets go of a reference to the model.
func (s *ServedModel) release() {
	if s.refs.Add(-1) == 0 && s.close != nil {
		s.close()
	}
}

// DefaultModelRefresh is how often a repository's newest model version is
// looked up.
const DefaultModelRefresh = 30 * time.Second

// NewRepositoryModels serves repository models from db, unpacking each
// version under dir, which it empties first (it is this process's alone);
// refresh is how often a repository's newest version is looked up
// (DefaultModelRefresh when 0).
func NewRepositoryModels(db *store.DB, dir string, refresh time.Duration, log *slog.Logger) (*RepositoryModels, error) {
	if err := os.RemoveAll(dir); err != nil {
		return nil, fmt.Errorf("webhook: repository models: %w", err)
	}
	if refresh <= 0 {
		refresh = DefaultModelRefresh
	}
	if log == nil {
		log = slog.Default()
	}
	return &RepositoryModels{db: db, dir: dir, refresh: refresh, log: log, byRepo: make(map[string]*repositoryModel)}, nil
}

// acquire returns the repository's own model, nil when it has none, and a
// release to call once done with it.
func (m *RepositoryModels) acquire(ctx context.Context, repo string) (*ServedModel, func()) {
	m.mu.Lock()
	r, ok := m.byRepo[repo]
	if !ok {
		r = &repositoryModel{}
		m.byRepo[repo] = r
	}
	m.mu.Unlock()
	m.update(ctx, repo, r)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.current == nil {
		return nil, func() {}
	}
	r.current.refs.Add(1)
	return r.current, r.current.release
}

// update loads the repository's newest accepted version when it is newer
// than the one tried last, at most once per refresh interval.
func (m *RepositoryModels) update(ctx context.Context, repo string, r *repositoryModel) {
	r.check.Lock()
	defer r.check.Unlock()
	if !r.checked.IsZero() && time.Since(r.checked) < m.refresh {
		return
	}
	version, err := m.db.ServedModelVersion(ctx, repo)
	if err != nil {
		m.log.WarnContext(ctx, "cannot look up the repository's model; the one serving keeps serving", "repo", repo, "err", err)
		return
	}
	r.checked = time.Now()
	if version <= r.tried {
		return
	}
	r.tried = version
	served, err := m.load(ctx, repo, version)
	if err != nil {
		m.log.ErrorContext(ctx, "repository model refused; the one serving keeps serving", "repo", repo, "version", version, "err", err)
		return
	}
	m.log.InfoContext(ctx, "repository model serving", "repo", repo, "version", version, "commits", served.Learned.Commits)
	m.swap(r, served)
}

// swap makes next the repository's serving model (nil: none) and lets go
// of the one serving before: it closes once its last delivery is done.
func (m *RepositoryModels) swap(r *repositoryModel, next *ServedModel) {
	r.mu.Lock()
	old := r.current
	r.current = next
	r.mu.Unlock()
	if old != nil {
		old.release()
	}
}

// load unpacks and loads one version of a repository's models.
func (m *RepositoryModels) load(ctx context.Context, repo string, version int) (*ServedModel, error) {
	rec, ok, err := m.db.RepositoryModel(ctx, repo, version)
	switch {
	case err != nil:
		return nil, err
	case !ok || !rec.Accepted:
		return nil, fmt.Errorf("model version %d of %s is not an accepted model", version, repo)
	}
	dir := filepath.Join(m.dir, strings.ReplaceAll(repo, "/", "_"), fmt.Sprint(version))
	if err := os.RemoveAll(dir); err != nil {
		return nil, err
	}
	if err := classify.ExtractArchive(rec.Files, dir); err != nil {
		return nil, fmt.Errorf("model version %d of %s: %w", version, repo, err)
	}
	model, err := classify.Load(dir)
	if err != nil {
		return nil, fmt.Errorf("model version %d of %s: %w", version, repo, err)
	}
	if model.Meta().Learned == nil {
		model.Close()
		return nil, fmt.Errorf("model version %d of %s: model.json says nothing of its learning", version, repo)
	}
	c := classify.NewClassifier(model)
	served := &ServedModel{Classifier: c, Version: version, Learned: model.Meta().Learned, close: func() error {
		return errors.Join(c.Close(), os.RemoveAll(dir))
	}}
	served.refs.Store(1)
	return served, nil
}

// Close lets go of every repository model loaded: each closes once no
// delivery uses it.
func (m *RepositoryModels) Close() {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, r := range m.byRepo {
		m.swap(r, nil)
	}
}
