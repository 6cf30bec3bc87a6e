package adminauth_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/commit-labeler/commit-labeler/admin"
	"github.com/commit-labeler/commit-labeler/adminauth"
	"github.com/commit-labeler/commit-labeler/ghapp"
	"github.com/commit-labeler/commit-labeler/internal/fakegithub"
	"github.com/commit-labeler/commit-labeler/store"
)

// testToken is the automation's bearer token.
const testToken = "0123456789abcdef0123456789abcdef"

func quietLog() *slog.Logger { return slog.New(slog.DiscardHandler) }

// clock is a settable clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *clock) advance(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

// rig is an admin page behind a Guard, over a store holding decisions on
// acme/open and acme/secret, and a fake GitHub where alice can access
// acme/open alone and bob no installation of the App.
type rig struct {
	admin *httptest.Server
	fake  *fakegithub.Server
	oauth *fakegithub.OAuth
	guard *adminauth.Guard
	clock *clock
}

func newRig(t *testing.T, c adminauth.Config) *rig {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "bot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.MigrateRiver(ctx, quietLog()); err != nil {
		t.Fatal(err)
	}
	for _, repo := range []string{"acme/open", "acme/secret"} {
		if err := db.SavePredictions(ctx, []store.BotPrediction{{Repo: repo, SHA: "0123456789abcdef", Source: "model",
			Labels: []string{"fix"}, DeliveryID: "delivery-of-" + repo}}); err != nil {
			t.Fatal(err)
		}
	}

	r := &rig{fake: fakegithub.New(t), clock: &clock{now: time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)}}
	r.fake.AddInstallation(fakegithub.NewInstallation(1, "acme", "Organization"),
		fakegithub.NewRepository("acme", "open", "", false), fakegithub.NewRepository("acme", "secret", "", true))
	r.admin = httptest.NewServer(nil)
	t.Cleanup(r.admin.Close)
	if c.OAuth != nil {
		r.oauth = fakegithub.ServeOAuth(r.fake, "Iv1.client", "client-secret", r.admin.URL+"/callback")
		r.oauth.AddUser("alice", 1, map[int64][]string{1: {"acme/open"}})
		r.oauth.AddUser("bob", 2, nil)
		c.OAuth = &ghapp.OAuth{ClientID: "Iv1.client", ClientSecret: "client-secret", WebURL: r.fake.URL, APIURL: r.fake.URL}
		c.PublicURL = r.admin.URL
	}
	c.Log, c.Now = quietLog(), r.clock.Now
	if r.guard, err = adminauth.New(c); err != nil {
		t.Fatal(err)
	}
	page := admin.Handler(admin.Config{Store: db, Log: quietLog(), Now: r.clock.Now, Viewer: r.guard.Viewer})
	mux := http.NewServeMux()
	mux.Handle("/debug/", r.guard.Operator(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "profiles") })))
	mux.Handle("/", r.guard.Admin(page))
	r.admin.Config.Handler = mux
	return r
}

// browser is a person's browser, signed in to GitHub as login ("" for
// nobody), which follows redirects and keeps cookies.
func (r *rig) browser(t *testing.T, login string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	if login != "" {
		u, _ := url.Parse(r.fake.URL)
		jar.SetCookies(u, []*http.Cookie{r.oauth.WebSession(login)})
	}
	return &http.Client{Jar: jar}
}

// get fetches path of the admin server with client, with the
// Authorization header auth ("" for none).
func (r *rig) get(t *testing.T, client *http.Client, path, auth string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, r.admin.URL+path, nil)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// TestBearerToken: without a credential, or with a wrong one, the page
// and the profiles answer 401 without a word of the page; the token
// opens both, on every repository.
func TestBearerToken(t *testing.T) {
	r := newRig(t, adminauth.Config{Token: testToken})
	for _, tc := range []struct {
		name, path, auth string
		want             int
	}{
		{"page, no credential", "/", "", http.StatusUnauthorized},
		{"page, wrong token", "/", "Bearer " + strings.Repeat("x", len(testToken)), http.StatusUnauthorized},
		{"page, the token's prefix", "/", "Bearer " + testToken[:16], http.StatusUnauthorized},
		{"page, the token and more", "/", "Bearer " + testToken + "0", http.StatusUnauthorized},
		{"page, the token as Basic", "/", "Basic " + testToken, http.StatusUnauthorized},
		{"page, the token", "/", "Bearer " + testToken, http.StatusOK},
		{"page, the token, scheme in lower case", "/", "bearer " + testToken, http.StatusOK},
		{"profiles, no credential", "/debug/pprof/", "", http.StatusUnauthorized},
		{"profiles, wrong token", "/debug/pprof/", "Bearer nope", http.StatusUnauthorized},
		{"profiles, the token", "/debug/pprof/", "Bearer " + testToken, http.StatusOK},
		{"no sign-in without GitHub sign-in", "/login", "", http.StatusUnauthorized},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, body := r.get(t, http.DefaultClient, tc.path, tc.auth)
			if code != tc.want {
				t.Fatalf("GET %s: %d, want %d\n%s", tc.path, code, tc.want, body)
			}
			if opened := strings.Contains(body, "acme/secret") || strings.Contains(body, "profiles"); opened != (code == http.StatusOK) {
				t.Errorf("GET %s: %d with the content shown: %t\n%s", tc.path, code, opened, body)
			}
		})
	}
}

// signIn signs browser in: /login, GitHub's authorize page, /callback, /.
func (r *rig) signIn(t *testing.T, browser *http.Client) (int, string) {
	t.Helper()
	return r.get(t, browser, "/login", "")
}

// TestSignedInPersonSeesTheirRepositoriesOnly signs alice in with GitHub:
// GitHub says she can access acme/open, not acme/secret, so the page
// shows acme/open's rows and never acme/secret's; the profiles stay shut
// to her; signing out, or the session's end, shuts the page.
func TestSignedInPersonSeesTheirRepositoriesOnly(t *testing.T) {
	r := newRig(t, adminauth.Config{Token: testToken, OAuth: &ghapp.OAuth{}})
	if code, body := r.get(t, http.DefaultClient, "/", ""); code != http.StatusUnauthorized || !strings.Contains(body, `<a href="/login">Sign in with GitHub</a>`) {
		t.Fatalf("GET / without a credential: %d\n%s", code, body)
	}
	alice := r.browser(t, "alice")
	code, body := r.signIn(t, alice)
	if code != http.StatusOK || !strings.Contains(body, "delivery-of-acme/open") || !strings.Contains(body, "Signed in with GitHub as <strong>alice</strong>") {
		t.Fatalf("alice signed in: %d\n%s", code, body)
	}
	if strings.Contains(body, "acme/secret") {
		t.Errorf("alice sees acme/secret, which GitHub does not let her access:\n%s", body)
	}
	if code, _ := r.get(t, alice, "/debug/pprof/", ""); code != http.StatusUnauthorized {
		t.Errorf("alice's session opens the profiles: %d", code)
	}
	// The token still sees everything, and a wrong token is not made
	// good by a session.
	if code, body := r.get(t, http.DefaultClient, "/", "Bearer "+testToken); code != http.StatusOK || !strings.Contains(body, "acme/secret") {
		t.Errorf("the token's page: %d", code)
	}
	if code, _ := r.get(t, alice, "/", "Bearer wrong"); code != http.StatusUnauthorized {
		t.Errorf("alice's session with a wrong token: %d, want 401", code)
	}

	r.clock.advance(adminauth.SessionLifetime)
	if code, _ := r.get(t, alice, "/", ""); code != http.StatusUnauthorized {
		t.Errorf("after the session's lifetime: %d, want 401", code)
	}
	if code, body := r.signIn(t, alice); code != http.StatusOK || strings.Contains(body, "acme/secret") {
		t.Fatalf("alice signed in again: %d\n%s", code, body)
	}
	req, _ := http.NewRequest(http.MethodPost, r.admin.URL+"/logout", nil)
	resp, err := alice.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if code, _ := r.get(t, alice, "/", ""); code != http.StatusUnauthorized {
		t.Errorf("after signing out: %d, want 401", code)
	}
}

// TestSignInRefused: a person with no installation of the App gets no
// session; a callback whose state is not the one the browser was given
// (another's sign-in, forged, or none) is refused before GitHub is asked.
func TestSignInRefused(t *testing.T) {
	r := newRig(t, adminauth.Config{OAuth: &ghapp.OAuth{}})
	if code, _ := r.get(t, http.DefaultClient, "/debug/pprof/", ""); code != http.StatusOK {
		t.Errorf("profiles without a token configured: %d, want 200 (loopback alone serves them then)", code)
	}
	bob := r.browser(t, "bob")
	if code, body := r.signIn(t, bob); code != http.StatusForbidden || !strings.Contains(body, "no installation") {
		t.Errorf("bob, without an installation: %d\n%s", code, body)
	}
	if code, _ := r.get(t, bob, "/", ""); code != http.StatusUnauthorized {
		t.Errorf("bob after his refused sign-in: %d, want 401", code)
	}

	// mallory starts a sign-in and has GitHub's code for it; alice's
	// browser is made to finish it (login CSRF), or mallory forges the
	// state.
	noRedirect := func(c *http.Client) *http.Client {
		c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		return c
	}
	mallory := noRedirect(r.browser(t, "alice"))
	resp, err := mallory.Get(r.admin.URL + "/login")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	authorize := resp.Header.Get("Location")
	u, _ := url.Parse(authorize)
	if q := u.Query(); resp.StatusCode != http.StatusFound || q.Get("client_id") != "Iv1.client" ||
		q.Get("redirect_uri") != r.admin.URL+"/callback" || len(q.Get("state")) < 32 {
		t.Fatalf("/login: %d to %s", resp.StatusCode, authorize)
	}
	resp, err = mallory.Get(authorize)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	callback, _ := url.Parse(resp.Header.Get("Location"))
	forged := *callback
	fq := forged.Query()
	fq.Set("state", strings.Repeat("A", 43))
	forged.RawQuery = fq.Encode()
	for _, tc := range []struct {
		name    string
		browser *http.Client
		url     string
	}{
		{"another browser's sign-in", noRedirect(r.browser(t, "")), callback.String()},
		{"a forged state", mallory, forged.String()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := tc.browser.Get(tc.url)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusBadRequest || len(resp.Cookies()) != 0 {
				t.Errorf("callback: %d, cookies %v; want 400 and no session", resp.StatusCode, resp.Cookies())
			}
		})
	}
	// The code was never exchanged: mallory's own browser finishes.
	resp, err = mallory.Get(callback.String())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("the sign-in's own browser: %d, want 303", resp.StatusCode)
	}
}

// TestCookies: the session's and the state's cookies are HttpOnly,
// SameSite=Lax, bound to the page's path, and Secure behind TLS.
func TestCookies(t *testing.T) {
	for public, callback := range map[string]string{
		"https://admin.example/bot/": "https://admin.example/bot/callback",
		"http://127.0.0.1:8081/bot":  "http://127.0.0.1:8081/bot/callback",
	} {
		g, err := adminauth.New(adminauth.Config{PublicURL: public, Log: quietLog(),
			OAuth: &ghapp.OAuth{ClientID: "Iv1.client", ClientSecret: "s", WebURL: "https://github.com/"}})
		if err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		g.Admin(http.NotFoundHandler()).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/login", nil))
		cookies := rec.Result().Cookies()
		if len(cookies) != 1 {
			t.Fatalf("%s: /login set %d cookies", public, len(cookies))
		}
		c := cookies[0]
		if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/bot/" || c.Secure != strings.HasPrefix(public, "https:") {
			t.Errorf("%s: state cookie %s", public, c)
		}
		if g.CallbackURL() != callback {
			t.Errorf("%s: callback %s, want %s", public, g.CallbackURL(), callback)
		}
	}
}

// TestOpenWithoutAccessControl: with nothing configured (loopback only,
// cmd/bot sees to that) the page and profiles open as before.
func TestOpenWithoutAccessControl(t *testing.T) {
	r := newRig(t, adminauth.Config{})
	for _, path := range []string{"/", "/debug/pprof/"} {
		if code, _ := r.get(t, http.DefaultClient, path, ""); code != http.StatusOK {
			t.Errorf("GET %s: %d", path, code)
		}
	}
	if code, _ := r.get(t, http.DefaultClient, "/", "Bearer "+testToken); code != http.StatusUnauthorized {
		t.Errorf("a token where none is configured: %d, want 401", code)
	}
}

func TestLoopback(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:8081": true, "127.1.2.3:80": true, "[::1]:8081": true, "localhost:8081": true, "LOCALHOST:1": true,
		":8081": false, "0.0.0.0:8081": false, "[::]:8081": false, "10.0.0.5:8081": false, "admin.example:443": false, "127.0.0.1": false,
	} {
		if got := adminauth.Loopback(addr); got != want {
			t.Errorf("Loopback(%q) = %t, want %t", addr, got, want)
		}
	}
}
