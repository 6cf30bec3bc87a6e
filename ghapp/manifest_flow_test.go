package ghapp_test

import (
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-github/v93/github"

	commitlabeler "github.com/commit-labeler/commit-labeler"
	"github.com/commit-labeler/commit-labeler/ghapp"
	"github.com/commit-labeler/commit-labeler/internal/fakegithub"
)

func TestParseShippedManifest(t *testing.T) {
	m, err := ghapp.ParseManifest(commitlabeler.AppManifest())
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(m.DefaultEvents, ",") != "pull_request,push" {
		t.Fatalf("events %v", m.DefaultEvents)
	}
	want := map[string]string{"metadata": "read", "contents": "read", "pull_requests": "write", "issues": "write", "checks": "write"}
	for k, v := range want {
		if m.DefaultPermissions[k] != v {
			t.Errorf("permission %s = %q, want %q", k, m.DefaultPermissions[k], v)
		}
	}
	for _, bad := range []string{"name: x\nhook_attributes: {url: /relative}\ndefault_events: [push]\n", "name: x\nunknown: 1\n", "hook_attributes: {url: https://e.com}\ndefault_events: [push]\n"} {
		if _, err := ghapp.ParseManifest([]byte(bad)); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}

func TestWebURL(t *testing.T) {
	for api, want := range map[string]string{
		"":                                "https://github.com/",
		"https://api.github.com/":         "https://github.com/",
		"https://ghe.example.com/api/v3/": "https://ghe.example.com/",
		"https://ghe.example.com/api/v3":  "https://ghe.example.com/",
	} {
		if got, err := ghapp.WebURL(api); err != nil || got != want {
			t.Errorf("WebURL(%q) = %q, %v; want %q", api, got, err, want)
		}
	}
}

// TestManifestFlow walks the setup flow: the page posts the manifest to
// GitHub's form with a state, the callback exchanges the code with the
// fake GitHub and the credentials land in app.env (0600) that LoadAppEnv reads.
func TestManifestFlow(t *testing.T) {
	fake := fakegithub.New(t)
	pem := string(fake.PrivateKeyPEM())
	fakegithub.ServeManifestConversions(fake, map[string]*github.AppConfig{"the-code": {
		ID: new(int64(42)), Slug: new("commit-labeler-test"), PEM: &pem, WebhookSecret: new("whsec"),
		ClientID: new("Iv23.client"), ClientSecret: new("client-secret"),
		HTMLURL: new("https://github.com/apps/commit-labeler-test"),
	}})
	manifest, err := ghapp.ParseManifest(commitlabeler.AppManifest())
	if err != nil {
		t.Fatal(err)
	}
	api, _ := github.NewClient(github.WithURLs(&fake.URL, nil))
	dir := filepath.Join(t.TempDir(), "config")
	flow := &ghapp.ManifestFlow{Manifest: manifest, WebURL: "https://ghe.example.com/", Org: "octo-org", API: api,
		Done: func(cfg *github.AppConfig) error {
			_, err := ghapp.SaveAppEnv(dir, ghapp.AppCredentials{AppID: cfg.GetID(), Slug: cfg.GetSlug(),
				PrivateKeyPEM: cfg.GetPEM(), WebhookSecret: cfg.GetWebhookSecret(), ClientID: cfg.GetClientID(),
				ClientSecret: cfg.GetClientSecret(), APIURL: fake.URL})
			return err
		}}
	h, err := flow.Handler()
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()

	page := get(t, srv.URL+"/")
	action := regexp.MustCompile(`action="([^"]+)"`).FindStringSubmatch(page)
	if action == nil || !strings.HasPrefix(html.UnescapeString(action[1]), "https://ghe.example.com/organizations/octo-org/settings/apps/new?state=") {
		t.Fatalf("form action: %v\n%s", action, page)
	}
	formURL, err := url.Parse(html.UnescapeString(action[1]))
	if err != nil {
		t.Fatal(err)
	}
	state := formURL.Query().Get("state")
	posted := html.UnescapeString(regexp.MustCompile(`name="manifest" value="([^"]+)"`).FindStringSubmatch(page)[1])
	if !strings.Contains(posted, `"redirect_url":"`+srv.URL+`/callback"`) || !strings.Contains(posted, `"pull_requests":"write"`) {
		t.Fatalf("posted manifest %s", posted)
	}

	if code := statusOf(t, srv.URL+"/callback?code=the-code&state=forged"); code != http.StatusBadRequest {
		t.Fatalf("forged state: %d", code)
	}
	if body := get(t, srv.URL+"/callback?code=the-code&state="+state); !strings.Contains(body, "id 42") {
		t.Fatalf("callback: %s", body)
	}
	if code := statusOf(t, srv.URL+"/callback?code=the-code&state="+state); code != http.StatusBadGateway {
		t.Fatalf("reused code: %d", code)
	}

	env, err := ghapp.LoadAppEnv(ghapp.AppEnvPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	if env[ghapp.EnvAppID] != "42" || env[ghapp.EnvWebhookSecret] != "whsec" || env[ghapp.EnvAPIURL] != fake.URL ||
		env[ghapp.EnvClientID] != "Iv23.client" || env[ghapp.EnvClientSecret] != "client-secret" {
		t.Fatalf("app.env = %v", env)
	}
	for _, p := range []string{ghapp.AppEnvPath(dir), env[ghapp.EnvPrivateKeyPath]} {
		if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("%s: %v %v", p, fi.Mode(), err)
		}
	}
	if key, _ := os.ReadFile(env[ghapp.EnvPrivateKeyPath]); string(key) != pem {
		t.Fatal("saved key differs")
	}
	// The saved credentials authenticate as the App.
	t.Setenv(ghapp.EnvAppID, env[ghapp.EnvAppID])
	t.Setenv(ghapp.EnvPrivateKeyPath, env[ghapp.EnvPrivateKeyPath])
	t.Setenv(ghapp.EnvAPIURL, env[ghapp.EnvAPIURL])
	if _, err := ghapp.ConfigFromEnv(); err != nil {
		t.Fatal(err)
	}
}

// statusOf GETs u and returns the answer's status.
func statusOf(t *testing.T, u string) int {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func get(t *testing.T, u string) string {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", u, resp.StatusCode, b)
	}
	return string(b)
}
