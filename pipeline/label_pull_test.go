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
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	fake := fakegithub.New(t, fakegithub.WithApp(77, key), fakegithub.WithMaxPerPage(100))
	fake.AddInstallation(fakegithub.NewInstallation(1, "acme", "Organization"))

	// 300 squash-merged pull requests: documentation and bug fixes.
	var s gittest.FastImport
	start := time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC)
	mark := s.Commit(gittest.ImportCommit{At: start, Message: "Add the label mapping",
		Changes: []gittest.FileChange{{Path: repoconfig.Path, Content: "labels:\n  chore: documentation\n  fix: bug\n"}}})
	marks := map[int]int{}
	for i := 1; i <= 300; i++ {
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
	shas := s.Run(t, bare)
	git := gittest.ServeHTTP(t, root, func(r *http.Request) bool {
		_, token, ok := r.BasicAuth()
		id, known := fake.TokenInstallation(token)
		return ok && known && id == 1
	})
	repos := fakegithub.NewRepos(fake)
	repo := &fakegithub.Repo{Owner: "acme", Name: "app", InstallationID: 1, CloneURL: git.URL + "/acme/app.git", Pulls: map[int]*fakegithub.Pull{}}
	for i := 1; i <= 300; i++ {
		label := "bug"
		if i%2 == 0 {
			label = "documentation"
		}
		repo.Pulls[i] = &fakegithub.Pull{Labels: []string{label}, PullRequest: &github.PullRequest{
			Number: github.Ptr(i), State: github.Ptr("closed"), Title: github.Ptr(fmt.Sprintf("pull request %d", i)),
			MergedAt: &github.Timestamp{Time: start.Add(time.Duration(i) * time.Hour)}, MergeCommitSHA: github.Ptr(shas[marks[i]]),
		}}
	}
	repos.Add(repo)

	env := newTestEnv(t)
	env.Options.Workdir = filepath.Join(t.TempDir(), "clones")
	env.Options.App = ghapp.Config{AppID: 77, PrivateKey: pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}), APIURL: fake.URL}
	// The bot applied pull request 2's label: not a maintainer's word.
	if err := env.DB.SavePullPrediction(ctx, store.PullPrediction{Repo: "acme/app", Number: 2, HeadSHA: "h",
		Prediction: store.BotPrediction{Repo: "acme/app", PullNumber: 2, SHA: "h", Source: "model", Labels: []string{"chore"}},
		Applying:   []store.PullLabel{{Label: "chore", GitHubLabel: "documentation"}}}); err != nil {
		t.Fatal(err)
	}

	out, err := LearnAndPublish(ctx, env, global, Target{Repo: "acme/app", InstallationID: 1})
	if err != nil {
		t.Fatal(err)
	}
	wantCounts(t, out.Results[2].Counts, Counts{"pull_request.labeled": 299, "pull_request.none": 1, "conventional.labeled": 0})
	if !out.Learned.Accepted || out.Learned.Commits != 299 {
		t.Fatalf("learned %+v: want the 299 labeled commits learned and accepted", out.Learned)
	}
	if got := topLabel(t, publishedModel(t, env, "acme/app", out.Version), docsChange()); got != "chore" {
		t.Errorf("the repository model labels a documentation change %s, want chore (its mapping)", got)
	}
}
