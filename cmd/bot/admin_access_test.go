package main

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/commit-labeler/commit-labeler/classify"
	"github.com/commit-labeler/commit-labeler/internal/fakegithub"
	"github.com/commit-labeler/commit-labeler/store"
)

// TestAdminAccess runs the bot as a process with its admin page and
// profiles guarded by a bearer token and GitHub sign-in through the App's
// OAuth client (from app.env, as `bot setup` writes it). Without a
// credential, or with a wrong token, both answer 401; the token opens
// both; alice, whom GitHub lets access acme/open and not acme/secret,
// signs in and sees acme/open's decision and never acme/secret's, and
// her session does not open the profiles.
func TestAdminAccess(t *testing.T) {
	if err := classify.InitRuntime(); err != nil {
		t.Skipf("ONNX Runtime absent, run scripts/setup.sh: %v", err)
	}
	fake := fakegithub.New(t)
	fake.AddInstallation(fakegithub.NewInstallation(1, "acme", "Organization"),
		fakegithub.NewRepository("acme", "open", "", false), fakegithub.NewRepository("acme", "secret", "", true))
	dir := t.TempDir()
	adminAddr, pprofAddr := freeAddr(t), freeAddr(t)
	adminURL := "http://" + adminAddr + "/"
	oauth := fakegithub.ServeOAuth(fake, "Iv23.client", "client-secret", adminURL+"callback")
	oauth.AddUser("alice", 7, map[int64][]string{1: {"acme/open"}})

	dbPath := filepath.Join(dir, "bot.db")
	db, err := store.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, repo := range []string{"acme/open", "acme/secret"} {
		if err := db.SavePredictions(context.Background(), []store.BotPrediction{{Repo: repo, SHA: strings.Repeat("ab", 20),
			Source: classify.SourceModel, Labels: []string{"fix"}, DeliveryID: "delivery-of-" + repo}}); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	token := strings.Repeat("5e", 20)
	tokenFile, appEnv := filepath.Join(dir, "admin-token"), filepath.Join(dir, "app.env")
	if err := os.WriteFile(tokenFile, []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(appEnv, []byte("GITHUB_CLIENT_ID=Iv23.client\nGITHUB_CLIENT_SECRET=client-secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	bot := startBotProcess(t, botEnv(t, fake, dir, "s3cret"), "--addr", "127.0.0.1:0", "--db", dbPath, "--config", appEnv,
		"--redeliver-interval", "0", "--admin", adminAddr, "--admin-url", adminURL, "--admin-token-file", tokenFile, "--pprof", pprofAddr)

	get := func(client *http.Client, u, auth string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	page, profiles := adminURL, "http://"+pprofAddr+"/debug/pprof/"
	for _, tc := range []struct {
		name, url, auth string
		want            int
	}{
		{"page, no credential", page, "", http.StatusUnauthorized},
		{"page, wrong token", page, "Bearer " + strings.Repeat("5f", 20), http.StatusUnauthorized},
		{"page, the token", page, "Bearer " + token, http.StatusOK},
		{"profiles, no credential", profiles, "", http.StatusUnauthorized},
		{"profiles, wrong token", profiles, "Bearer nope", http.StatusUnauthorized},
		{"profiles, the token", profiles, "Bearer " + token, http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, body := get(http.DefaultClient, tc.url, tc.auth)
			if code != tc.want {
				t.Errorf("GET %s: %d, want %d\n%s", tc.url, code, tc.want, body)
			}
			if shown := strings.Contains(body, "acme/secret") || strings.Contains(body, "goroutine"); shown != (code == http.StatusOK) {
				t.Errorf("GET %s: %d, content shown %t", tc.url, code, shown)
			}
		})
	}

	jar, _ := cookiejar.New(nil)
	fakeURL, _ := url.Parse(fake.URL)
	jar.SetCookies(fakeURL, []*http.Cookie{oauth.WebSession("alice")})
	alice := &http.Client{Jar: jar}
	code, body := get(alice, adminURL+"login", "")
	if code != http.StatusOK || !strings.Contains(body, "delivery-of-acme/open") {
		t.Fatalf("alice signed in: %d\n%s\n%s", code, body, bot.output())
	}
	if strings.Contains(body, "acme/secret") {
		t.Errorf("alice sees acme/secret:\n%s", body)
	}
	if code, _ := get(alice, profiles, ""); code != http.StatusUnauthorized {
		t.Errorf("alice's session opens the profiles: %d", code)
	}
	if !strings.Contains(bot.output(), `msg="admin sign-in" login=alice installations=1 repositories=1`) {
		t.Errorf("the sign-in is not logged:\n%s", bot.output())
	}
	for _, secret := range []string{token, "client-secret", "ghu_"} {
		if strings.Contains(bot.output(), secret) {
			t.Errorf("the log quotes a secret (%s…)", secret[:4])
		}
	}
}
