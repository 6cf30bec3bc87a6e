package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v93/github"

	"github.com/commit-labeler/commit-labeler/classify"
	"github.com/commit-labeler/commit-labeler/internal/fakegithub"
	"github.com/commit-labeler/commit-labeler/internal/gittest"
	"github.com/commit-labeler/commit-labeler/store"
)

// buildCommand builds the shipped binary cmd/name (bot, train) into dir.
func buildCommand(t *testing.T, dir, name string) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no go tool to build %s: %v", name, err)
	}
	bin := filepath.Join(dir, name)
	out, err := exec.Command(goTool, "build", "-o", bin, "github.com/commit-labeler/commit-labeler/cmd/"+name).CombinedOutput()
	if err != nil {
		t.Fatalf("go build ./cmd/%s: %v\n%s", name, err, out)
	}
	return bin
}

// TestLearnedModelLabelsTheNextPullRequest installs the App on a
// repository whose documentation commits are typed chore: the bot asks
// for it to be learned, `train worker` (a process of its own, on the
// bot's database) clones it over git's HTTP protocol with the
// installation's token, learns and publishes its model, and the bot
// labels the repository's next pull request with that model, which the
// check run names. The shipped model alone calls the change docs.
func TestLearnedModelLabelsTheNextPullRequest(t *testing.T) {
	if err := classify.InitRuntime(); err != nil {
		t.Skipf("ONNX Runtime absent, run scripts/setup.sh: %v", err)
	}
	fake := fakegithub.New(t)
	fake.AddInstallation(fakegithub.NewInstallation(1, "acme", "Organization"))
	history := gittest.ConventionalHistory(t, 400, "chore", nil)
	root := t.TempDir()
	gittest.Git(t, history.Dir, "clone", "--quiet", "--bare", history.Dir, filepath.Join(root, "acme", "app.git"))
	git := gittest.ServeHTTP(t, root, func(r *http.Request) bool {
		user, token, ok := r.BasicAuth()
		id, known := fake.TokenInstallation(token)
		return ok && user == "x-access-token" && known && id == 1
	})
	head := strings.Repeat("ab", 20)
	repos := fakegithub.NewRepos(fake)
	repos.Add(&fakegithub.Repo{Owner: "acme", Name: "app", InstallationID: 1, CloneURL: git.URL + "/acme/app.git",
		Pulls: map[int]*fakegithub.Pull{7: {
			PullRequest: &github.PullRequest{Number: new(7), State: new("open"), Title: new("Explain widget setup in the guide"),
				Head: &github.PullRequestBranch{SHA: new(head)}, User: &github.User{Login: new("octocat"), Type: new("User")}},
			Commits: []*github.RepositoryCommit{{SHA: new(head)}},
			Files: []*github.CommitFile{{Filename: new("docs/guide3.md"), Status: new("modified"), Additions: new(2),
				Changes: new(2), Patch: new("@@ -1 +1,2 @@\n revision\n+of the guide")}},
		}},
	})

	dir := t.TempDir()
	dbPath := filepath.Join(dir, "bot.db")
	env := botEnv(t, fake, dir, "s3cret")
	bot := startBotProcess(t, env, "--addr", "127.0.0.1:0", "--db", dbPath, "--redeliver-interval", "0")
	var workerLog bytes.Buffer
	worker := exec.Command(buildCommand(t, dir, "train"), "worker", "--db", dbPath, "--workdir", filepath.Join(dir, "clones"), "--poll", "100ms", "--log-level", "info")
	worker.Env = append(os.Environ(), env...)
	worker.Stdout, worker.Stderr = &workerLog, &workerLog
	if err := worker.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { worker.Process.Kill(); worker.Wait() })

	post := func(event, delivery string, payload any) {
		t.Helper()
		body, _ := json.Marshal(payload)
		if code := bot.post(t, event, delivery, "s3cret", body); code != http.StatusAccepted {
			t.Fatalf("%s delivery: %d\n%s", event, code, bot.output())
		}
	}
	installation := map[string]any{"id": 1, "account": map[string]any{"login": "acme", "type": "Organization"}}
	post("installation", "install-1", map[string]any{
		"action": "created", "installation": installation, "sender": map[string]any{"login": "octocat", "type": "User"},
		"repositories": []any{map[string]any{"id": 1, "name": "app", "full_name": "acme/app", "private": false}},
	})

	db, err := store.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	deadline := time.Now().Add(90 * time.Second)
	for {
		v, err := db.ServedModelVersion(context.Background(), "acme/app")
		if err == nil && v == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no model published within 90 s (version %d, %v)\nworker:\n%s\nbot:\n%s", v, err, workerLog.String(), bot.output())
		}
		time.Sleep(100 * time.Millisecond)
	}

	post("pull_request", "pull-7", map[string]any{
		// Events other than installation carry the installation's id only.
		"action": "opened", "number": 7, "installation": map[string]any{"id": 1},
		"repository":   map[string]any{"name": "app", "full_name": "acme/app", "owner": map[string]any{"login": "acme"}, "default_branch": "main"},
		"pull_request": map[string]any{"number": 7, "state": "open", "title": "Explain widget setup in the guide", "head": map[string]any{"sha": head}},
		"sender":       map[string]any{"login": "octocat", "type": "User"},
	})
	for len(repos.CheckRuns("acme", "app")) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("pull request not labeled\n%s", bot.output())
		}
		time.Sleep(50 * time.Millisecond)
	}
	summary := repos.CheckRuns("acme", "app")[0].GetOutput().GetSummary()
	if !strings.Contains(summary, "this repository's own model (version 1, learned from 400 commits") {
		t.Errorf("check run summary %q does not name the repository model", summary)
	}
	if labels := repos.IssueLabels("acme", "app", 7); !slices.Contains(labels, "type: chore") {
		t.Errorf("labels %v, want type: chore (the repository's convention)", labels)
	}
}
