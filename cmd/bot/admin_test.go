package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v93/github"
	"golang.org/x/net/html"

	"github.com/commit-labeler/commit-labeler/classify"
	"github.com/commit-labeler/commit-labeler/delivery"
	"github.com/commit-labeler/commit-labeler/ghapp"
	"github.com/commit-labeler/commit-labeler/internal/fakegithub"
	"github.com/commit-labeler/commit-labeler/models"
)

// chromium is Debian's browser, which renders the admin page headless.
const chromium = "/usr/bin/chromium"

// TestAdminPage runs the bot as a process with its real handlers and
// shipped model, on --admin, against a fake GitHub, and drives three
// signed deliveries through it: a pull request its model labels, one its
// Conventional Commits title labels, and a maintainer removing a label.
// The admin page, fetched as is and rendered in headless Chromium, shows
// the deliveries, the repository, the labels with their confidence, which
// model decided and the correction; the webhook address does not serve it.
func TestAdminPage(t *testing.T) {
	if err := classify.InitRuntime(); err != nil {
		t.Skipf("ONNX Runtime absent, run scripts/setup.sh: %v", err)
	}
	fake := fakegithub.New(t)
	fake.AddInstallation(fakegithub.NewInstallation(1, "acme", "Organization"))
	human := &github.User{Login: new("octocat"), Type: new("User")}
	modelHead, titleHead := strings.Repeat("ab", 20), strings.Repeat("cd", 20)
	repos := fakegithub.NewRepos(fake)
	repos.Add(&fakegithub.Repo{Owner: "acme", Name: "app", InstallationID: 1, DefaultBranch: "main", Pulls: map[int]*fakegithub.Pull{
		7: {
			PullRequest: &github.PullRequest{Number: new(7), State: new("open"), Title: new("Explain widget setup in the guide"),
				Head: &github.PullRequestBranch{SHA: new(modelHead)}, User: human},
			Commits: []*github.RepositoryCommit{{SHA: new(modelHead)}},
			Files: []*github.CommitFile{{Filename: new("docs/guide.md"), Status: new("modified"), Additions: new(2),
				Changes: new(2), Patch: new("@@ -1 +1,2 @@\n revision\n+of the guide")}},
		},
		8: {
			PullRequest: &github.PullRequest{Number: new(8), State: new("open"), Title: new("fix: keep the widget's size on reload"),
				Head: &github.PullRequestBranch{SHA: new(titleHead)}, User: human},
			Commits: []*github.RepositoryCommit{{SHA: new(titleHead)}},
		},
	}})

	dir := t.TempDir()
	adminAddr := freeAddr(t)
	bot := startBotProcess(t, botEnv(t, fake, dir, "s3cret"), "--addr", "127.0.0.1:0", "--db", filepath.Join(dir, "bot.db"),
		"--redeliver-interval", "0", "--admin", adminAddr)
	// The test reads the bot's state from the page alone: the bot holds
	// its database for itself.
	page := func() string {
		resp, err := http.Get("http://" + adminAddr + "/")
		if err != nil {
			return err.Error()
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		doc, err := html.Parse(bytes.NewReader(body))
		if err != nil {
			return err.Error()
		}
		return domText(doc, "")
	}

	repository := map[string]any{"name": "app", "full_name": "acme/app", "owner": map[string]any{"login": "acme"}, "default_branch": "main"}
	sender := map[string]any{"login": "octocat", "type": "User"}
	pull := func(number int, title, head string) map[string]any {
		return map[string]any{"number": number, "state": "open", "title": title, "head": map[string]any{"sha": head}}
	}
	deliver := func(delivery string, payload map[string]any, done int) {
		t.Helper()
		payload["installation"], payload["repository"], payload["sender"] = map[string]any{"id": 1}, repository, sender
		body, _ := json.Marshal(payload)
		if code := bot.post(t, "pull_request", delivery, "s3cret", body); code != http.StatusAccepted {
			t.Fatalf("delivery %s: %d\n%s", delivery, code, bot.output())
		}
		waitFor(t, bot, func() bool { return strings.Contains(page(), fmt.Sprintf(" %d handled ", done)) })
	}
	deliver("opened-7", map[string]any{"action": "opened", "number": 7, "pull_request": pull(7, "Explain widget setup in the guide", modelHead)}, 1)
	deliver("opened-8", map[string]any{"action": "opened", "number": 8, "pull_request": pull(8, "fix: keep the widget's size on reload", titleHead)}, 2)
	deliver("unlabeled-8", map[string]any{"action": "unlabeled", "number": 8, "label": map[string]any{"name": "type: fix"},
		"pull_request": pull(8, "fix: keep the widget's size on reload", titleHead)}, 3)
	// The pull request labeled again: the label the maintainer removed is
	// held back, which the page must not show as applied.
	deliver("synchronize-8", map[string]any{"action": "synchronize", "number": 8, "before": titleHead, "after": titleHead,
		"pull_request": pull(8, "fix: keep the widget's size on reload", titleHead)}, 4)
	// Requests refused: a forged signature and a signed body that is no
	// JSON. Each is logged at WARN and counted by reason.
	for _, r := range []struct{ delivery, secret, body string }{
		{"forged-1", "wrong", `{"action":"opened"}`},
		{"malformed-1", "s3cret", `{"action":`},
	} {
		req, _ := http.NewRequest(http.MethodPost, "http://"+bot.addr+delivery.PathWebhooks, strings.NewReader(r.body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(delivery.HeaderEvent, "pull_request")
		req.Header.Set(delivery.HeaderDelivery, r.delivery)
		req.Header.Set(delivery.HeaderSignature, delivery.SignatureHeader([]byte(r.secret), []byte(r.body)))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	for _, line := range []string{
		`level=WARN msg="delivery refused" reason=bad_signature status=401`,
		`delivery=forged-1 event=pull_request remote=127.0.0.1:`,
		`level=WARN msg="delivery refused" reason=malformed_payload status=400 detail="payload is not valid JSON: truncated" delivery=malformed-1 event=pull_request remote=127.0.0.1:`,
	} {
		waitFor(t, bot, func() bool { return strings.Contains(bot.output(), line) })
	}
	if out := bot.output(); strings.Contains(out, "s3cret") || strings.Contains(out, "sha256=") || strings.Contains(out, `{"action":`) {
		t.Errorf("the log shows a secret, a signature or a body:\n%s", out)
	}

	// The label the model chose, which the page must show: the one it
	// added on GitHub, under the default configuration's name.
	added := repos.IssueLabels("acme", "app", 7)
	if len(added) == 0 || !strings.HasPrefix(added[0], "type: ") {
		t.Fatalf("pull request 7 labeled %q, want a vocabulary label\n%s", added, bot.output())
	}
	modelLabel, titleLabel := strings.TrimPrefix(added[0], "type: "), "fix"
	hour := time.Now().UTC().Truncate(time.Hour)
	meta, err := shippedModelMeta()
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		section string
		text    []string
	}{
		{"", []string{"4 deliveries in the last 24 h", "4 handled", "0 failed", "1 repositories", "2 requests refused since start",
			"The global model: " + meta.Kind + " (the shipped model)."}},
		// One row for the hour of the deliveries, one for the 23 quiet
		// hours before it.
		{"deliveries", []string{hour.Format("2006-01-02 15:00") + " 4 0 0 4",
			hour.Add(-23*time.Hour).Format("2006-01-02 15:00") + " no deliveries " + hour.Add(-23*time.Hour).Format("15:04") + "–"}},
		{"queue", []string{"queued 4", "done 4"}},
		{"refused", []string{"bad_signature 1", "malformed_payload 1", "too_large 0"}},
		{"learning", []string{"No learning worker is alive", "acme/app correction available",
			"⚠ stranded: no learning worker is alive (train worker): nothing will learn it", "0 of 5"}},
		{"models", []string{"acme/app global model " + meta.Kind + " (the shipped model) never learned"}},
		{"decisions", []string{"acme/app (model serving: global model)",
			"pull request #7 at " + modelHead[:7] + " Explain widget setup in the guide " + modelLabel, "global model opened-7",
			"pull request #8 at " + titleHead[:7] + " fix: keep the widget's size on reload " + titleLabel +
				" 1.00 (held back: a maintainer removed it) title (Conventional Commits) synchronize-8"}},
		{"corrections", []string{"acme/app #8 fix removed octocat 1"}},
	}
	renderers := []struct {
		name   string
		render func(t *testing.T, url string) []byte
	}{
		{"served", func(t *testing.T, url string) []byte {
			resp, err := http.Get(url)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" {
				t.Fatalf("GET %s: %d %s\n%s", url, resp.StatusCode, resp.Header.Get("Content-Type"), body)
			}
			return body
		}},
		{"chromium", dumpDOM},
	}
	for _, r := range renderers {
		t.Run(r.name, func(t *testing.T) {
			doc, err := html.Parse(bytes.NewReader(r.render(t, "http://"+adminAddr+"/")))
			if err != nil {
				t.Fatal(err)
			}
			// Each decision links its pull request on the fake GitHub's web
			// root; the held-back label has a class of its own.
			web, err := ghapp.WebURL(fake.URL)
			if err != nil {
				t.Fatal(err)
			}
			for _, n := range []int{7, 8} {
				link := fmt.Sprintf("%sacme/app/pull/%d", web, n)
				if findNode(doc, func(n *html.Node) bool { return n.Data == "a" && attr(n, "href") == link }) == nil {
					t.Errorf("no link to %s", link)
				}
			}
			held := findNode(doc, func(n *html.Node) bool { return n.Data == "span" && attr(n, "class") == "label held_back" })
			if held == nil || held.FirstChild == nil || held.FirstChild.Data != titleLabel {
				t.Errorf("no held-back label %s distinct from applied ones", titleLabel)
			}
			if findNode(doc, func(n *html.Node) bool { return n.Data == "tr" && attr(n, "class") == "stranded" }) == nil {
				t.Error("the learn job waiting with no worker alive is not flagged")
			}
			for _, w := range want {
				text := domText(doc, w.section)
				if text == "" {
					t.Errorf("no section %q", w.section)
				}
				for _, s := range w.text {
					if !strings.Contains(text, s) {
						t.Errorf("section %q lacks %q:\n%s", w.section, s, text)
					}
				}
			}
		})
	}

	t.Run("not on the webhook address", func(t *testing.T) {
		for _, path := range []string{"/", "/admin", "/admin/"} {
			resp, err := http.Get("http://" + bot.addr + path)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusNotFound || bytes.Contains(body, []byte("Deliveries per hour")) {
				t.Errorf("GET %s on the webhook address %s: %d, want 404\n%s", path, bot.addr, resp.StatusCode, body)
			}
		}
	})
}

// shippedModelMeta is the shipped model's model.json.
func shippedModelMeta() (*classify.Meta, error) {
	dir, err := models.DefaultDir()
	if err != nil {
		return nil, err
	}
	return classify.ReadMeta(dir)
}

// dumpDOM renders url in headless Chromium, offline but for url, and
// returns the DOM it built; the test is skipped without Chromium.
func dumpDOM(t *testing.T, url string) []byte {
	t.Helper()
	if _, err := os.Stat(chromium); err != nil {
		t.Skip(chromium + " absent: apt-get install chromium (or scripts/setup.sh chromium) to render the admin page")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir="+t.TempDir(), "--dump-dom", url)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium --dump-dom %s: %v\n%s", url, err, stderr.String())
	}
	if !bytes.Contains(out, []byte("</html>")) {
		t.Fatalf("chromium dumped no document for %s:\n%s\n%s", url, out, stderr.String())
	}
	return out
}

// domText is the text of the element with that id (the body when id is
// ""), as a reader sees it: cells apart, whitespace collapsed, styles left
// out.
func domText(doc *html.Node, id string) string {
	root := findNode(doc, func(n *html.Node) bool {
		if id == "" {
			return n.Type == html.ElementNode && n.Data == "body"
		}
		for _, a := range n.Attr {
			if a.Key == "id" && a.Val == id {
				return true
			}
		}
		return false
	})
	if root == nil {
		return ""
	}
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		switch {
		case n.Type == html.ElementNode && n.Data == "style":
			return
		case n.Type == html.TextNode:
			b.WriteString(n.Data)
		case n.Type == html.ElementNode:
			b.WriteString(" ")
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(root)
	return strings.Join(strings.Fields(b.String()), " ")
}

// attr is n's attribute key ("" when absent).
func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func findNode(n *html.Node, match func(*html.Node) bool) *html.Node {
	if match(n) {
		return n
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if f := findNode(c, match); f != nil {
			return f
		}
	}
	return nil
}
