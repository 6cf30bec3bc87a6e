package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v93/github"

	"github.com/commit-labeler/commit-labeler/classify"
	"github.com/commit-labeler/commit-labeler/internal/fakegithub"
	"github.com/commit-labeler/commit-labeler/internal/ghexamples"
	"github.com/commit-labeler/commit-labeler/webhook"
)

// TestBotLabelsExamplePullRequest runs the bot as a process with its real
// handlers and shipped model against a fake GitHub, as an operator's smoke
// test would: GitHub's own pull_request "opened" example, correctly signed,
// gets its labels within 5 s; a badly signed copy gets 401 and GitHub
// hears nothing of it.
func TestBotLabelsExamplePullRequest(t *testing.T) {
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
	pr := opened["pull_request"].(map[string]any)
	pr["title"] = "docs: " + pr["title"].(string)
	opened["installation"] = map[string]any{"id": 1}
	body, _ := json.Marshal(opened)
	var ev github.PullRequestEvent
	if err := json.Unmarshal(body, &ev); err != nil {
		t.Fatal(err)
	}
	owner, name, number := ev.GetRepo().GetOwner().GetLogin(), ev.GetRepo().GetName(), ev.GetNumber()

	fake := fakegithub.New(t)
	fake.AddInstallation(fakegithub.NewInstallation(1, owner, "User"))
	repos := fakegithub.NewRepos(fake)
	repos.Add(&fakegithub.Repo{Owner: owner, Name: name, InstallationID: 1, DefaultBranch: "master",
		Pulls: map[int]*fakegithub.Pull{number: {PullRequest: ev.PullRequest,
			Commits: []*github.RepositoryCommit{{SHA: github.Ptr(ev.GetPullRequest().GetHead().GetSHA())}},
			Files: []*github.CommitFile{{Filename: github.Ptr("README.md"), Status: github.Ptr("modified"),
				Additions: github.Ptr(1), Deletions: github.Ptr(1), Patch: github.Ptr("@@ -1 +1 @@\n-old\n+new")}},
		}}})

	dir := t.TempDir()
	keyPath := filepath.Join(dir, "key.pem")
	if err := os.WriteFile(keyPath, fake.PrivateKeyPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	bot := startBotProcess(t, []string{
		envRealHandlers + "=1", "COMMIT_LABELER_CACHE=" + filepath.Join(dir, "cache"), classify.ORTLibraryEnv + "=" + classify.ORTLibraryPath(),
		"GITHUB_APP_ID=1", "GITHUB_PRIVATE_KEY_PATH=" + keyPath, "GITHUB_PRIVATE_KEY=",
		"GITHUB_WEBHOOK_SECRET=s3cret", "GITHUB_API_URL=" + fake.URL, "HOME=" + dir, "XDG_CONFIG_HOME=" + dir,
	}, "--addr", "127.0.0.1:0", "--db", filepath.Join(dir, "bot.db"), "--redeliver-interval", "0")

	post := func(secret, delivery string) int {
		req, _ := http.NewRequest(http.MethodPost, "http://"+bot.addr+webhook.PathWebhooks, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(webhook.HeaderEvent, "pull_request")
		req.Header.Set(webhook.HeaderDelivery, delivery)
		req.Header.Set(webhook.HeaderSignature, webhook.SignatureHeader([]byte(secret), body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	labelsPath := "/repos/" + owner + "/" + name + "/issues/" + strconv.Itoa(number) + "/labels"
	labelPosts := func() int {
		n := 0
		for _, r := range fake.Requests() {
			if r.Method == http.MethodPost && r.Path == labelsPath {
				n++
			}
		}
		return n
	}

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
	for labelPosts() == 0 {
		if time.Since(start) > 5*time.Second {
			t.Fatalf("no POST %s within 5 s; requests %v\n%s", labelsPath, fake.Requests()[before:], bot.output())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if got := repos.IssueLabels(owner, name, number); !strings.Contains(strings.Join(got, ","), "docs") {
		t.Fatalf("labels %v, want the docs label", got)
	}
}
