package ghapp_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/commit-labeler/commit-labeler/ghapp"
	"github.com/commit-labeler/commit-labeler/internal/fakegithub"
)

// signIn runs GitHub's side of the sign-in as a browser signed in to
// GitHub as login: the authorize page sends it back to the callback URL,
// whose code it returns.
func signIn(t *testing.T, o *fakegithub.OAuth, authorizeURL, login string) string {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	u, _ := url.Parse(authorizeURL)
	jar.SetCookies(u, []*http.Cookie{o.WebSession(login)})
	browser := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := browser.Get(authorizeURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	back, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || err != nil {
		t.Fatalf("authorize: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if got := back.Query().Get("state"); got != "the-state" {
		t.Errorf("state sent back: %q", got)
	}
	return back.Query().Get("code")
}

// TestUserAccess signs a person in through the App's OAuth client and
// reads what GitHub lets them access, a page of two at a time: the
// installations listed to them, and of each the repositories they can
// access, not the others the installation grants.
func TestUserAccess(t *testing.T) {
	fake := fakegithub.New(t, fakegithub.WithMaxPerPage(2))
	fake.AddInstallation(fakegithub.NewInstallation(1, "octo-org", "Organization"),
		repo("octo-org", "a", false), repo("octo-org", "b", true), repo("octo-org", "c", false), repo("octo-org", "secret", true))
	fake.AddInstallation(fakegithub.NewInstallation(2, "alice", "User"), repo("alice", "dots", false))
	fake.AddInstallation(fakegithub.NewInstallation(3, "bob", "User"), repo("bob", "diary", true))
	const callback = "https://admin.example/callback"
	oauth := fakegithub.ServeOAuth(fake, "Iv1.client", "client-secret", callback)
	oauth.AddUser("alice", 7, map[int64][]string{1: {"octo-org/a", "octo-org/b", "octo-org/c"}, 2: {"alice/dots"}})

	o := ghapp.OAuth{ClientID: "Iv1.client", ClientSecret: "client-secret", WebURL: fake.URL, APIURL: fake.URL}
	authorize := o.AuthorizeURL(callback, "the-state")
	if !strings.HasPrefix(authorize, fake.URL+"login/oauth/authorize?") {
		t.Errorf("authorize URL %s", authorize)
	}
	ctx := context.Background()
	token, err := o.Exchange(ctx, signIn(t, oauth, authorize, "alice"), callback)
	if err != nil {
		t.Fatal(err)
	}
	access, err := o.UserAccess(ctx, token, slog.Default())
	if err != nil {
		t.Fatal(err)
	}
	if access.Login != "alice" || !slices.Equal(access.Installations, []int64{1, 2}) ||
		!slices.Equal(access.Repositories, []string{"octo-org/a", "octo-org/b", "octo-org/c", "alice/dots"}) {
		t.Errorf("alice's access: %+v", access)
	}
}

// TestExchangeRefused: a code GitHub refuses (used already, or exchanged
// by another client) is an error naming GitHub's reason, without a token.
func TestExchangeRefused(t *testing.T) {
	fake := fakegithub.New(t)
	const callback = "https://admin.example/callback"
	oauth := fakegithub.ServeOAuth(fake, "Iv1.client", "client-secret", callback)
	oauth.AddUser("alice", 7, nil)
	o := ghapp.OAuth{ClientID: "Iv1.client", ClientSecret: "client-secret", WebURL: fake.URL, APIURL: fake.URL}
	ctx := context.Background()
	code := signIn(t, oauth, o.AuthorizeURL(callback, "the-state"), "alice")
	wrongSecret := o
	wrongSecret.ClientSecret = "guessed"
	for _, tc := range []struct {
		name string
		o    ghapp.OAuth
		want string
	}{
		{"another client's secret", wrongSecret, "incorrect_client_credentials"},
		{"the code once", o, ""},
		{"the code twice", o, "bad_verification_code"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			token, err := tc.o.Exchange(ctx, code, callback)
			switch {
			case tc.want == "" && (err != nil || token == ""):
				t.Errorf("Exchange = %q, %v", token, err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want) || token != ""):
				t.Errorf("Exchange = %q, %v; want an error naming %s", token, err, tc.want)
			}
		})
	}
}
