package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/commit-labeler/commit-labeler/delivery"
	"github.com/commit-labeler/commit-labeler/internal/ghexamples"

	"github.com/google/go-github/v93/github"

	"github.com/commit-labeler/commit-labeler/classify"
	"github.com/commit-labeler/commit-labeler/ghapp"
	"github.com/commit-labeler/commit-labeler/internal/fakegithub"
	"github.com/commit-labeler/commit-labeler/store"
)

// Identities of the webhook examples (@octokit/webhooks-examples).
const (
	exOwner  = "Codertocat"
	exRepo   = "Hello-World"
	exPull   = 2
	exInstID = 1
	appSlug  = "commit-labeler"
)

// example returns the first example of the event with the action (any when
// empty) and matching keep, changed by edit, with installation exInstID.
func example(t testing.TB, event, action string, keep func(map[string]any) bool, edit func(map[string]any)) []byte {
	t.Helper()
	for _, raw := range ghexamples.Load(t)[event] {
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatal(err)
		}
		if action != "" && m["action"] != action || keep != nil && !keep(m) {
			continue
		}
		m["installation"] = map[string]any{"id": exInstID}
		if edit != nil {
			edit(m)
		}
		b, _ := json.Marshal(m)
		return b
	}
	t.Fatalf("no %s %s example", event, action)
	return nil
}

// pullExample is a pull_request example with the title and sender set; the
// fake's pull request takes the payload's state, as GitHub's would.
func (f *botFixture) pullExample(action, title string, sender map[string]any, edit func(map[string]any)) []byte {
	f.t.Helper()
	payload := example(f.t, "pull_request", action, nil, func(m map[string]any) {
		m["pull_request"].(map[string]any)["title"] = title
		if sender != nil {
			m["sender"] = sender
		}
		if edit != nil {
			edit(m)
		}
	})
	var ev github.PullRequestEvent
	if err := json.Unmarshal(payload, &ev); err != nil {
		f.t.Fatal(err)
	}
	f.repos.Update(exOwner, exRepo, func(r *fakegithub.Repo) { r.Pulls[exPull].PullRequest = ev.PullRequest })
	return payload
}

var (
	human = map[string]any{"login": "octocat", "id": 583231, "type": "User"}
	self  = map[string]any{"login": appSlug + "[bot]", "id": 99, "type": "Bot"}
)

// keywordClassifier is a deterministic classifier for tests: the first rule
// whose keyword the subject contains decides, else "feat" at 0.6.
type keywordClassifier struct {
	mu    sync.Mutex
	rules map[string]classify.LabelScore
	calls []classify.Commit
}

func (k *keywordClassifier) Classify(_ context.Context, commits []classify.Commit) ([]classify.Prediction, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	var out []classify.Prediction
	for _, c := range commits {
		k.calls = append(k.calls, c)
		top := classify.LabelScore{Label: "feat", Probability: 0.6}
		// Reasons name tokens the model would read: the files' shape, and
		// the keyword as a title word when it decided.
		reasons := []classify.Reason{{Feature: classify.TokenCategoryFiles + "docs:mid", Contribution: 0.5}}
		for kw, s := range k.rules {
			if strings.Contains(strings.ToLower(c.Subject), kw) {
				top = s
				reasons = append([]classify.Reason{{Feature: classify.TokenSubjectWord + kw, Contribution: 1.25}}, reasons...)
			}
		}
		out = append(out, classify.Prediction{
			Labels:  []classify.LabelScore{top},
			Scores:  []classify.LabelScore{top, {Label: "chore", Probability: 0.05}},
			Reasons: reasons,
		})
	}
	return out, nil
}

// Meta is the model.json of a model without thresholds: the classifier
// chooses its top label itself.
func (k *keywordClassifier) Meta() *classify.Meta { return &classify.Meta{} }

func (k *keywordClassifier) set(keyword, label string, p float64) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.rules = map[string]classify.LabelScore{keyword: {Label: label, Probability: p}}
}

// botFixture is the bot against a fake GitHub with the examples' repository.
type botFixture struct {
	t     testing.TB
	fake  *fakegithub.Server
	repos *fakegithub.Repos
	repo  *fakegithub.Repo
	db    *store.DB
	model *keywordClassifier
	// cfg builds handlers (build).
	cfg      HandlersConfig
	handlers *handlerSet
	// app is the client authenticated as the App.
	app *github.Client
}

func newBotFixture(t testing.TB, mutate ...func(*HandlersConfig)) *botFixture {
	t.Helper()
	ctx := context.Background()
	f := &botFixture{t: t, model: &keywordClassifier{}}
	f.fake = fakegithub.New(t, fakegithub.WithMaxPerPage(2))
	f.fake.AddInstallation(fakegithub.NewInstallation(exInstID, exOwner, "User"))
	f.repos = fakegithub.NewRepos(f.fake)

	var pr github.PullRequest
	ex := map[string]json.RawMessage{}
	json.Unmarshal(example(t, "pull_request", "opened", nil, nil), &ex)
	if err := json.Unmarshal(ex["pull_request"], &pr); err != nil {
		t.Fatal(err)
	}
	f.repo = f.repos.Add(&fakegithub.Repo{
		Owner: exOwner, Name: exRepo, InstallationID: exInstID, DefaultBranch: "master",
		Labels: []*github.Label{{Name: "bug", Color: "d73a4a"}},
		Pulls: map[int]*fakegithub.Pull{exPull: {
			PullRequest: &pr,
			Commits: []*github.RepositoryCommit{
				{SHA: new("c1")}, {SHA: new("c2")}, {SHA: new(pr.GetHead().GetSHA())},
			},
			Files: []*github.CommitFile{
				{Filename: new("README.md"), Status: new("modified"), Additions: new(1), Deletions: new(1), Changes: new(2),
					Patch: new("@@ -1,2 +1,2 @@\n # Hello-World\n-old\n+new")},
				{Filename: new("docs/logo.png"), Status: new("added"), Additions: new(0), Changes: new(0)},
				{Filename: new("src/app.go"), Status: new("modified"), Additions: new(3), Changes: new(3),
					Patch: new("@@ -1 +1,4 @@\n package app\n+\n+// New does it.\n+func New() {}")},
			},
		}},
	})

	var err error
	if f.db, err = store.Open(ctx, filepath.Join(t.TempDir(), "bot.db")); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.db.Close() })
	clients, err := ghapp.New(ghapp.Config{AppID: f.fake.AppID(), PrivateKey: f.fake.PrivateKeyPEM(), APIURL: f.fake.URL})
	if err != nil {
		t.Fatal(err)
	}
	f.app = clients.App()
	f.cfg = HandlersConfig{
		Store: f.db, Clients: clients, Classifier: f.model, AppSlug: appSlug,
		Logger:    slog.New(slog.NewTextHandler(io.Discard, nil)),
		Transport: []ghapp.TransportOption{ghapp.WithBackoff(10 * time.Millisecond)},
	}
	for _, m := range mutate {
		m(&f.cfg)
	}
	f.build()
	return f
}

// build makes the handlers from f.cfg.
func (f *botFixture) build() {
	f.t.Helper()
	var err error
	if f.handlers, err = newHandlerSet(f.cfg); err != nil {
		f.t.Fatal(err)
	}
}

// deliver calls the handler of the event type with the payload.
func (f *botFixture) deliver(eventType string, payload []byte) error {
	f.t.Helper()
	ghexamples.RequireWebhook(f.t, eventType, payload)
	return f.deliverRun(eventType, payload, delivery.Run{ID: "delivery-" + eventType, Attempt: 1})
}

// deliverRun calls the handler as attempt run.Attempt of the job of
// delivery run.ID.
func (f *botFixture) deliverRun(eventType string, payload []byte, run delivery.Run) error {
	return handle(f.handlers, eventType, payload, run)
}

// handle calls the handler of the event type as the queue would.
func handle(set *handlerSet, eventType string, payload []byte, run delivery.Run) error {
	for _, h := range set.handlers() {
		for _, e := range h.Handles() {
			if e == eventType {
				return h.Handle(delivery.WithRun(context.Background(), run), eventType, run.ID, payload)
			}
		}
	}
	return errors.New("no handler for " + eventType)
}

func (f *botFixture) mustDeliver(eventType string, payload []byte) {
	f.t.Helper()
	if err := f.deliver(eventType, payload); err != nil {
		f.t.Fatalf("%s: %v", eventType, err)
	}
}

// writes returns the requests that would change something on GitHub.
func (f *botFixture) writes() []fakegithub.Call {
	var out []fakegithub.Call
	for _, c := range f.repos.Calls() {
		if c.Method != "GET" {
			out = append(out, c)
		}
	}
	return out
}

func (f *botFixture) labels() []string { return f.repos.IssueLabels(exOwner, exRepo, exPull) }

// setLabels replaces the pull request's labels on the fake, as a maintainer would.
func (f *botFixture) setLabels(names ...string) {
	f.repos.Update(exOwner, exRepo, func(r *fakegithub.Repo) { r.Pulls[exPull].Labels = names })
}

func (f *botFixture) checkRuns(name string) []*github.CheckRun {
	var out []*github.CheckRun
	for _, c := range f.repos.CheckRuns(exOwner, exRepo) {
		if c.GetName() == name {
			out = append(out, c)
		}
	}
	return out
}
