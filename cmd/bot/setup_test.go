package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"html"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	commitlabeler "github.com/commit-labeler/commit-labeler"
	"github.com/commit-labeler/commit-labeler/ghapp"
)

var (
	setupPageLine  = regexp.MustCompile(`Open (http://\S+)/ in a browser`)
	postedManifest = regexp.MustCompile(`name="manifest" value="([^"]+)"`)
)

const setupWebhookURL = "https://bot.example.com/api/github/webhooks"

// TestSetupServesManifestFromAnyDirectory runs the bot binary's setup in /
// with a home of its own: its page posts the built-in manifest, or the
// --manifest file, with --webhook-url and its callback substituted; a
// manifest file that cannot be read is an error naming the flag.
func TestSetupServesManifestFromAnyDirectory(t *testing.T) {
	dir := t.TempDir()
	bot := buildCommand(t, dir, "bot")
	customPath := filepath.Join(dir, "custom.yml")
	custom := []byte("name: custom-labeler\nurl: https://example.com\nhook_attributes: {url: https://example.com/hook}\ndefault_events: [push]\ndefault_permissions: {contents: read}\n")
	if err := os.WriteFile(customPath, custom, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		args     []string
		manifest []byte
		// callbacks are the callback URLs the page adds to the manifest's.
		callbacks []string
		wantErr   string
	}{
		{name: "built-in manifest", manifest: commitlabeler.AppManifest()},
		{name: "manifest file", args: []string{"--manifest", customPath}, manifest: custom},
		{name: "admin page's sign-in", args: []string{"--admin-url", "https://admin.example/bot"}, manifest: commitlabeler.AppManifest(),
			callbacks: []string{"https://admin.example/bot/callback"}},
		{name: "admin page at no URL", args: []string{"--admin-url", "admin.example"}, wantErr: "--admin-url: adminauth: the admin page's public URL"},
		{name: "manifest file absent", args: []string{"--manifest", "app.yml"}, wantErr: "--manifest: open app.yml: no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command(bot, append([]string{"setup", "--addr", "127.0.0.1:0", "--webhook-url", setupWebhookURL, "--out", t.TempDir()}, tt.args...)...)
			cmd.Dir = "/"
			home := t.TempDir()
			cmd.Env = append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+home, "GITHUB_API_URL=")
			if tt.wantErr != "" {
				out, err := cmd.CombinedOutput()
				var exit *exec.ExitError
				if !errors.As(err, &exit) || exit.ExitCode() != exitFailure || !strings.Contains(string(out), tt.wantErr) {
					t.Fatalf("exit %v, want %d and %q:\n%s", err, exitFailure, tt.wantErr, out)
				}
				return
			}
			pageURL := startSetup(t, cmd)
			want, err := ghapp.ParseManifest(tt.manifest)
			if err != nil {
				t.Fatal(err)
			}
			want.HookAttributes.URL = setupWebhookURL
			want.RedirectURL = pageURL + "/callback"
			want.CallbackURLs = append(want.CallbackURLs, tt.callbacks...)
			if got := pagePostedManifest(t, pageURL); !reflect.DeepEqual(got, want) {
				t.Fatalf("the page posts\n%+v\nwant\n%+v", got, want)
			}
		})
	}
}

// startSetup starts `bot setup` and returns the URL of its page, stopping
// it when the test ends.
func startSetup(t *testing.T, cmd *exec.Cmd) string {
	t.Helper()
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	page := make(chan string, 1)
	output := make(chan string, 1)
	go func() {
		var lines strings.Builder
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			lines.WriteString(sc.Text() + "\n")
			if m := setupPageLine.FindStringSubmatch(sc.Text()); m != nil {
				page <- m[1]
			}
		}
		output <- lines.String()
	}()
	select {
	case u := <-page:
		return u
	case out := <-output:
		t.Fatalf("bot setup stopped without serving its page:\n%s", out)
	case <-time.After(30 * time.Second):
		t.Fatal("bot setup did not serve its page within 30 s")
	}
	return ""
}

// pagePostedManifest is the manifest the setup page's form posts to GitHub.
func pagePostedManifest(t *testing.T, pageURL string) *ghapp.Manifest {
	t.Helper()
	resp, err := http.Get(pageURL + "/")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	m := postedManifest.FindSubmatch(body)
	if resp.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("GET %s/: %d, no manifest in\n%s", pageURL, resp.StatusCode, body)
	}
	var posted ghapp.Manifest
	if err := json.Unmarshal([]byte(html.UnescapeString(string(m[1]))), &posted); err != nil {
		t.Fatalf("posted manifest: %v", err)
	}
	return &posted
}
