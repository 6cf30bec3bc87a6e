package main

import (
	"encoding/json"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-github/v93/github"

	"github.com/commit-labeler/commit-labeler/classify"
	"github.com/commit-labeler/commit-labeler/internal/fakegithub"
	"github.com/commit-labeler/commit-labeler/internal/ghexamples"
)

// TestBotLabelsExamplePullRequest runs the bot as a process with its real
// handlers and shipped model against a fake GitHub, as an operator's smoke
// test would: GitHub's own pull_request "opened" example, correctly signed,
// gets its labels within 5 s; a badly signed copy gets 401 and GitHub
// hears nothing of it.
func TestBotLabelsExamplePullRequest(t *testing.T) { labelsExamplePullRequest(t, false) }

// TestBotLabelsWithABareGitHub is the same against a GitHub that answers 404
// to every read (pull request, commits, files, labels, contents): the bot
// labels from the delivery alone.
func TestBotLabelsWithABareGitHub(t *testing.T) { labelsExamplePullRequest(t, true) }

func labelsExamplePullRequest(t *testing.T, bare bool) {
	if err := classify.InitRuntime(); err != nil {
		t.Skipf("ONNX Runtime absent, run scripts/setup.sh: %v", err)
	}
	var opened map[string]any
	for _, raw := range ghexamples.Load(t)["pull_request"] {
		if err := json.Unmarshal(raw, &opened); err != nil {
			t.Fatal(err)
		}
		if opened["action"] == "opened" {
			break
		}
	}
	// GitHub's example has no installation, as a repository webhook's
	// delivery would not: the bot asks GitHub which installation reaches
	// the repository.
	pr := opened["pull_request"].(map[string]any)
	pr["title"] = "docs: " + pr["title"].(string)
	body, _ := json.Marshal(opened)
	var ev github.PullRequestEvent
	if err := json.Unmarshal(body, &ev); err != nil {
		t.Fatal(err)
	}
	owner, name, number := ev.GetRepo().GetOwner().GetLogin(), ev.GetRepo().GetName(), ev.GetNumber()

	fake := fakegithub.New(t)
	fake.AddInstallation(fakegithub.NewInstallation(1, owner, "User"))
	var addedLabels func() []string // the labels GitHub was asked to add
	if bare {
		addedLabels = recordAddedLabels(fake)
	} else {
		repos := fakegithub.NewRepos(fake)
		repos.Add(&fakegithub.Repo{Owner: owner, Name: name, InstallationID: 1, DefaultBranch: "master",
			Pulls: map[int]*fakegithub.Pull{number: {PullRequest: ev.PullRequest,
				Commits: []*github.RepositoryCommit{{SHA: new(ev.GetPullRequest().GetHead().GetSHA())}},
				Files: []*github.CommitFile{{Filename: new("README.md"), Status: new("modified"),
					Additions: new(1), Deletions: new(1), Patch: new("@@ -1 +1 @@\n-old\n+new")}},
			}}})
		addedLabels = func() []string { return repos.IssueLabels(owner, name, number) }
	}

	dir := t.TempDir()
	bot := startBotProcess(t, botEnv(t, fake, dir, "s3cret"), "--addr", "127.0.0.1:0", "--db", filepath.Join(dir, "bot.db"), "--redeliver-interval", "0")

	post := func(secret, delivery string) int { return bot.post(t, "pull_request", delivery, secret, body) }
	before := len(fake.Requests())
	if code := post("wrong", "guid-bad"); code != http.StatusUnauthorized {
		t.Fatalf("badly signed delivery: %d, want 401", code)
	}
	time.Sleep(300 * time.Millisecond)
	if after := fake.Requests(); len(after) != before {
		t.Fatalf("a badly signed delivery reached GitHub: %v", after[before:])
	}
	start := time.Now()
	if code := post("s3cret", "guid-1"); code != http.StatusAccepted {
		t.Fatalf("signed delivery: %d\n%s", code, bot.output())
	}
	// POST /repos/{owner}/{repo}/issues/{number}/labels with the docs label.
	for !strings.Contains(strings.Join(addedLabels(), ","), "docs") {
		if time.Since(start) > 5*time.Second {
			t.Fatalf("docs label not added within 5 s; requests %v\n%s", fake.Requests()[before:], bot.output())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// recordAddedLabels answers "add labels to an issue" on fake, as a GitHub
// without the repository's other endpoints, and returns what lists the
// labels it was asked to add.
func recordAddedLabels(fake *fakegithub.Server) func() []string {
	var (
		mu    sync.Mutex
		added []string
	)
	fake.Handle("POST /repos/{owner}/{repo}/issues/{number}/labels", fakegithub.AuthInstallation, func(w http.ResponseWriter, r *http.Request) {
		names, _ := fakegithub.DecodeLabelNames(r)
		mu.Lock()
		added = append(added, names...)
		mu.Unlock()
		fakegithub.WriteJSON(w, http.StatusOK, []*github.Label{})
	})
	return func() []string { mu.Lock(); defer mu.Unlock(); return slices.Clone(added) }
}
