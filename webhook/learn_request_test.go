package webhook

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/commit-labeler/commit-labeler/learnjob"
	"github.com/commit-labeler/commit-labeler/repoconfig"
	"github.com/commit-labeler/commit-labeler/store"
)

// learnRequests records the learn jobs the handlers ask for.
type learnRequests struct {
	mu   sync.Mutex
	args []learnjob.Args
}

func (l *learnRequests) EnqueueLearn(_ context.Context, a learnjob.Args) (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.args = append(l.args, a)
	return true, nil
}

// take returns the requests since the last take as "reason repo".
func (l *learnRequests) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, a := range l.args {
		out = append(out, a.Reason+" "+a.Repo)
	}
	l.args = nil
	return out
}

// TestHandlersAskForLearning: installing the App on repositories, a
// configuration change, the first move of the default branch a day after
// the last learning and a maintainer's correction each ask for the
// repository to be learned.
func TestHandlersAskForLearning(t *testing.T) {
	learning := &learnRequests{}
	f := newBotFixture(t, func(c *HandlersConfig) { c.Learning = learning })
	ctx := context.Background()
	repo := exOwner + "/" + exRepo
	steps := []struct {
		name    string
		deliver func()
		want    []string
	}{
		{"installed", func() { f.mustDeliver("installation", example(t, "installation", "created", nil, nil)) },
			[]string{"installed Codertocat/Hello-World"}},
		{"repositories added", func() {
			f.mustDeliver("installation_repositories", example(t, "installation_repositories", "added", nil, nil))
		}, []string{"installed Codertocat/Space"}},
		{"push, never learned", func() { f.mustDeliver("push", pushExample(t, 1, nil)) },
			[]string{"activity " + repo}},
		{"push, learned just now", func() {
			if _, err := f.db.PublishRepositoryModel(ctx, store.RepositoryModel{Repo: repo, Report: []byte("{}"), Files: []byte{}}); err != nil {
				t.Fatal(err)
			}
			f.mustDeliver("push", pushExample(t, 1, nil))
		}, nil},
		{"configuration changed", func() {
			f.mustDeliver("push", pushExample(t, 1, func(m map[string]any) {
				m["commits"].([]any)[0].(map[string]any)["modified"] = []any{repoconfig.Path}
			}))
		}, []string{"config " + repo}},
		{"a maintainer's correction", func() {
			f.mustDeliver("pull_request", f.pullExample("labeled", "Update the README", human, func(m map[string]any) {
				m["label"] = map[string]any{"name": "type: docs"}
			}))
		}, []string{"correction " + repo}},
	}
	for _, s := range steps {
		s.deliver()
		if got := learning.take(); !slices.Equal(got, s.want) {
			t.Errorf("%s: learning asked for %v, want %v", s.name, got, s.want)
		}
	}
}
