package ghapp_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v93/github"

	"github.com/commit-labeler/commit-labeler/ghapp"
	"github.com/commit-labeler/commit-labeler/internal/fakegithub"
)

func repo(owner, name string, private bool) *github.Repository {
	return fakegithub.NewRepository(owner, name, "https://github.example/"+owner+"/"+name+".git", private)
}

func TestInstallationRepositories(t *testing.T) {
	key, keyPEM := newKeyPEM(t)
	fake := fakegithub.New(t, fakegithub.WithApp(99, key), fakegithub.WithMaxPerPage(2))
	fake.AddInstallation(fakegithub.NewInstallation(1, "octo-org", "Organization"),
		repo("octo-org", "a", false), repo("octo-org", "b", true), repo("octo-org", "c", false))
	fake.AddInstallation(fakegithub.NewInstallation(2, "alice", "User"), repo("alice", "dots", false))
	suspended := fakegithub.NewInstallation(3, "mallory", "User")
	suspended.SuspendedAt = &github.Timestamp{Time: time.Now()}
	fake.AddInstallation(suspended, repo("mallory", "x", false))

	clients, err := ghapp.New(ghapp.Config{AppID: 99, PrivateKey: keyPEM, APIURL: fake.URL})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	got, err := clients.InstallationRepositories(ctx, slog.Default())
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, inst := range got {
		lines = append(lines, fmt.Sprintf("%d %s %s suspended=%v", inst.ID, inst.Account, inst.AccountType, inst.Suspended))
		for _, r := range inst.Repositories {
			lines = append(lines, fmt.Sprintf("  %d %s %s private=%v", r.InstallationID, r.FullName(), r.CloneURL, r.Private))
		}
	}
	want := strings.Join([]string{
		"1 octo-org Organization suspended=false",
		"  1 octo-org/a https://github.example/octo-org/a.git private=false",
		"  1 octo-org/b https://github.example/octo-org/b.git private=true",
		"  1 octo-org/c https://github.example/octo-org/c.git private=false",
		"2 alice User suspended=false",
		"  2 alice/dots https://github.example/alice/dots.git private=false",
		"3 mallory User suspended=true",
	}, "\n")
	if g := strings.Join(lines, "\n"); g != want {
		t.Fatalf("got\n%s\nwant\n%s", g, want)
	}

	// Both lists were paginated, the App endpoints got a JWT and the
	// installation endpoints an installation token, one per installation.
	var pages, tokenRequests int
	for _, r := range fake.Requests() {
		auth := r.Header.Get("Authorization")
		switch {
		case strings.HasPrefix(r.Path, "/app/"):
			if !strings.HasPrefix(auth, "Bearer ey") {
				t.Errorf("%s %s: Authorization %.12q, want a JWT", r.Method, r.Path, auth)
			}
		case !strings.HasPrefix(auth, "token ghs_"):
			t.Errorf("%s %s: Authorization %.12q, want an installation token", r.Method, r.Path, auth)
		}
		if r.Query.Get("page") == "2" {
			pages++
		}
		if strings.HasSuffix(r.Path, "/access_tokens") {
			tokenRequests++
		}
	}
	if pages != 2 {
		t.Errorf("%d second-page requests, want 2 (installations, octo-org's repositories)", pages)
	}
	if tokenRequests != 2 {
		t.Errorf("%d token requests, want 2 (the suspended installation gets none)", tokenRequests)
	}

	// The token is cached per installation.
	tok, err := clients.InstallationToken(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if id, ok := fake.TokenInstallation(tok); !ok || id != 1 {
		t.Fatalf("token belongs to installation %d (%v), want 1", id, ok)
	}
	if n := len(fake.Tokens()); n != 2 {
		t.Fatalf("%d tokens issued, want 2: InstallationToken did not reuse the cached one", n)
	}
}

func TestInstallationTokenErrors(t *testing.T) {
	_, keyPEM := newKeyPEM(t)
	fake := fakegithub.New(t) // the fake's App key is not ours
	fake.AddInstallation(fakegithub.NewInstallation(1, "octo-org", "Organization"))
	clients, err := ghapp.New(ghapp.Config{AppID: fake.AppID(), PrivateKey: keyPEM, APIURL: fake.URL})
	if err != nil {
		t.Fatal(err)
	}
	_, err = clients.InstallationToken(context.Background(), 1)
	if err == nil || !strings.Contains(err.Error(), "installation 1") {
		t.Fatalf("err = %v, want a token error naming installation 1", err)
	}
	_, err = clients.InstallationRepositories(context.Background(), slog.Default())
	var ghErr *github.ErrorResponse
	if err == nil || !strings.Contains(err.Error(), "app 1") || !errors.As(err, &ghErr) || ghErr.Response.StatusCode != http.StatusUnauthorized {
		t.Fatalf("err = %v, want a 401 naming app 1", err)
	}
}

// TestEnterpriseAPIURL checks that go-github and ghinstallation (which makes
// the token request itself) both use an API root with a path, as on GitHub
// Enterprise Server.
func TestEnterpriseAPIURL(t *testing.T) {
	fake := fakegithub.New(t)
	fake.AddInstallation(fakegithub.NewInstallation(1, "octo-org", "Organization"), repo("octo-org", "a", false))
	target, _ := url.Parse(fake.URL)
	ghes := httptest.NewServer(http.StripPrefix("/api/v3", httputil.NewSingleHostReverseProxy(target)))
	defer ghes.Close()

	clients, err := ghapp.New(ghapp.Config{AppID: fake.AppID(), PrivateKey: fake.PrivateKeyPEM(), APIURL: ghes.URL + "/api/v3"})
	if err != nil {
		t.Fatal(err)
	}
	insts, err := clients.InstallationRepositories(context.Background(), slog.Default())
	if err != nil {
		t.Fatal(err)
	}
	if len(insts) != 1 || len(insts[0].Repositories) != 1 {
		t.Fatalf("got %+v", insts)
	}
	if n := len(fake.Requests()); n != 3 {
		t.Fatalf("%d requests reached the API through /api/v3, want 3", n)
	}
}
