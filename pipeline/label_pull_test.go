package pipeline

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v93/github"

	"github.com/commit-labeler/commit-labeler/ghapp"
	"github.com/commit-labeler/commit-labeler/internal/fakegithub"
	"github.com/commit-labeler/commit-labeler/internal/gittest"
	"github.com/commit-labeler/commit-labeler/repoconfig"
	"github.com/commit-labeler/commit-labeler/store"
)

// TestLearnFromPullRequestLabels learns a repository whose commits carry
// no Conventional Commits header: its merged pull requests' labels,
// mapped by its .github/commit-labeler.yml (documentation → chore,
// bug → fix), label the commits the merges made, except a label the bot
// applied itself; the repository model then calls documentation chore.
func TestLearnFromPullRequestLabels(t *testing.T) {
	global := shippedModel(t)
	ctx := context.Background()
	f := newPullFixture(t, 300)
	// The bot applied pull request 2's label: not a maintainer's word.
	if err := f.env.DB.SavePullPrediction(ctx, store.PullPrediction{Repo: "acme/app", Number: 2, HeadSHA: "h",
		Prediction: store.BotPrediction{Repo: "acme/app", PullNumber: 2, SHA: "h", Source: "model", Labels: []string{"chore"}},
		Applying:   []store.PullLabel{{Label: "chore", GitHubLabel: "documentation"}}}); err != nil {
		t.Fatal(err)
	}

	out, err := LearnAndPublish(ctx, f.env, global, Target{Repo: "acme/app", InstallationID: 1})
	if err != nil {
		t.Fatal(err)
	}
	wantCounts(t, out.Results[2].Counts, Counts{"pull_request.read": 300, "pull_request.labeled": 299, "pull_request.none": 1, "conventional.labeled": 0})
	if !out.Learned.Accepted || out.Learned.Commits != 299 {
		t.Fatalf("learned %+v: want the 299 labeled commits learned and accepted", out.Learned)
	}
	if got := topLabel(t, publishedModel(t, f.env, "acme/app", out.Version), docsChange()); got != "chore" {
		t.Errorf("the repository model labels a documentation change %s, want chore (its mapping)", got)
	}
}

// TestLearnSkipsPullRequestLabelsUnderAnInvalidConfig: a typo in the
// label mapping must not teach the repository model the default label
// names it opted out of; nothing is learned from pull requests until the
// file is valid. Here its pull requests carry the default label name
// "type: docs", which the defaults would read as docs.
func TestLearnSkipsPullRequestLabelsUnderAnInvalidConfig(t *testing.T) {
	f := newPullFixtureConfigured(t, 150, "lables:\n  docs: documentation\n")
	f.repos.Update("acme", "app", func(r *fakegithub.Repo) {
		for _, p := range r.Pulls {
			p.Labels = []string{"type: docs"}
		}
	})
	out, err := LearnAndPublish(context.Background(), f.env, shippedModel(t), Target{Repo: "acme/app", InstallationID: 1})
	if err != nil {
		t.Fatal(err)
	}
	if n := out.Results[2].Counts["pull_request.labeled"]; n != 0 {
		t.Errorf("%d commits labeled from pull requests under an invalid configuration, want 0", n)
	}
	if out.Learned.Accepted {
		t.Errorf("a repository model was published from pull request labels read under an invalid configuration")
	}
}

// TestLearnReadsPullRequestsUpdatedSince: the first learn job reads every
// closed pull request; the next reads only those updated since (one whose
// label a maintainer changed is labeled anew) and stops at the first
// older one; when the rules the pull requests were labeled by change, it
// reads them all again.
func TestLearnReadsPullRequestsUpdatedSince(t *testing.T) {
	global := shippedModel(t)
	ctx := context.Background()
	f := newPullFixture(t, 250)
	learn := func() Counts {
		t.Helper()
		out, err := LearnAndPublish(ctx, f.env, global, Target{Repo: "acme/app", InstallationID: 1})
		if err != nil {
			t.Fatal(err)
		}
		return out.Results[2].Counts
	}
	wantCounts(t, learn(), Counts{"pull_request.read": 250, "pull_request.labeled": 250})

	// A maintainer relabels pull request 7 (a fix) as documentation.
	f.repos.Update("acme", "app", func(r *fakegithub.Repo) {
		p := r.Pulls[7]
		p.Labels = []string{"documentation"}
		p.PullRequest.UpdatedAt = &github.Timestamp{Time: f.start.Add(1000 * time.Hour)}
	})
	// Read: pull request 7, and 250, the newest of the first reading
	// (updated at the same moment as the reading's mark).
	wantCounts(t, learn(), Counts{"pull_request.read": 2, "pull_request.labeled": 2})
	if got := f.effectiveLabels(t, 7); got != "chore" {
		t.Errorf("pull request 7's commit labeled %q after its label changed, want chore", got)
	}

	// Rules of another labeler version: everything is read again.
	if err := f.env.DB.PutPullLabelings(ctx, "acme/app", nil, store.PullReading{Through: f.start.Add(1000 * time.Hour), Rules: "pull-0"}); err != nil {
		t.Fatal(err)
	}
	wantCounts(t, learn(), Counts{"pull_request.read": 250, "pull_request.labeled": 250})
}

// pullFixture is a repository of squash-merged pull requests, alternately
// bug fixes and documentation, whose commits carry no Conventional Commits
// header, served with its pull requests by a fake GitHub, and a pipeline
// environment to learn it.
type pullFixture struct {
	env   *Env
	repos *fakegithub.Repos
	start time.Time
	shas  map[int]string // pull request → its merge commit
}

func newPullFixture(t *testing.T, n int) *pullFixture {
	t.Helper()
	return newPullFixtureConfigured(t, n, "labels:\n  chore: documentation\n  fix: bug\n")
}

// newPullFixtureConfigured is newPullFixture with config as the
// repository's .github/commit-labeler.yml.
func newPullFixtureConfigured(t *testing.T, n int, config string) *pullFixture {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	fake := fakegithub.New(t, fakegithub.WithApp(77, key), fakegithub.WithMaxPerPage(100))
	fake.AddInstallation(fakegithub.NewInstallation(1, "acme", "Organization"))

	var s gittest.FastImport
	start := time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC)
	mark := s.Commit(gittest.ImportCommit{At: start, Message: "Add the label mapping",
		Changes: []gittest.FileChange{{Path: repoconfig.Path, Content: config}}})
	marks := map[int]int{}
	for i := 1; i <= n; i++ {
		subject, path := fmt.Sprintf("Handle an empty widget list in render %d (#%d)", i, i), fmt.Sprintf("src/widget%d.go", i%7)
		if i%2 == 0 {
			subject, path = fmt.Sprintf("Explain widget setup in the guide, part %d (#%d)", i, i), fmt.Sprintf("docs/guide%d.md", i%7)
		}
		mark = s.Commit(gittest.ImportCommit{At: start.Add(time.Duration(i) * time.Hour), From: mark, Message: subject,
			Changes: []gittest.FileChange{{Path: path, Content: fmt.Sprintf("revision %d\n", i)}}})
		marks[i] = mark
	}
	root := t.TempDir()
	bare := filepath.Join(root, "acme", "app.git")
	gittest.Git(t, "", "init", "--quiet", "--bare", "--initial-branch=main", bare)
	byMark := s.Run(t, bare)
	git := gittest.ServeHTTP(t, root, func(r *http.Request) bool {
		_, token, ok := r.BasicAuth()
		id, known := fake.TokenInstallation(token)
		return ok && known && id == 1
	})
	f := &pullFixture{repos: fakegithub.NewRepos(fake), start: start, shas: map[int]string{}}
	repo := &fakegithub.Repo{Owner: "acme", Name: "app", InstallationID: 1, CloneURL: git.URL + "/acme/app.git", Pulls: map[int]*fakegithub.Pull{}}
	for i := 1; i <= n; i++ {
		label := "bug"
		if i%2 == 0 {
			label = "documentation"
		}
		at := &github.Timestamp{Time: start.Add(time.Duration(i) * time.Hour)}
		f.shas[i] = byMark[marks[i]]
		repo.Pulls[i] = &fakegithub.Pull{Labels: []string{label}, PullRequest: &github.PullRequest{
			Number: new(i), State: new("closed"), Title: new(fmt.Sprintf("pull request %d", i)),
			CreatedAt: at, UpdatedAt: at, MergedAt: at, MergeCommitSHA: new(f.shas[i]),
		}}
	}
	f.repos.Add(repo)

	f.env = newTestEnv(t)
	f.env.Options.Workdir = filepath.Join(t.TempDir(), "clones")
	f.env.Options.App = ghapp.Config{AppID: 77, PrivateKey: pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}), APIURL: fake.URL}
	return f
}

// effectiveLabels returns the labels pull request n's commit carries, joined.
func (f *pullFixture) effectiveLabels(t *testing.T, n int) string {
	t.Helper()
	ids, err := f.env.DB.CommitIDs(context.Background(), "acme/app")
	if err != nil {
		t.Fatal(err)
	}
	id, ok := ids[f.shas[n]]
	if !ok {
		t.Fatalf("pull request %d's commit %s not extracted", n, f.shas[n])
	}
	effective, err := f.env.DB.EffectiveLabels(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range effective {
		if e.CommitID == id {
			var names []string
			for _, l := range e.Labels {
				names = append(names, l.Label)
			}
			return strings.Join(names, ",")
		}
	}
	return ""
}
