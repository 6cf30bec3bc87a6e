package fakegithub_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-github/v93/github"

	"github.com/commit-labeler/commit-labeler/ghapp"
	"github.com/commit-labeler/commit-labeler/internal/fakegithub"
)

// TestHandleExtendsTheAPI registers an endpoint the way the bot's tests
// will, and drives it with go-github as an installation.
func TestHandleExtendsTheAPI(t *testing.T) {
	fake := fakegithub.New(t, fakegithub.WithMaxPerPage(2))
	fake.AddInstallation(fakegithub.NewInstallation(5, "octo-org", "Organization"))
	var created []*github.Label
	fake.Handle("POST /repos/{owner}/{repo}/labels", fakegithub.AuthInstallation, func(w http.ResponseWriter, r *http.Request) {
		var req github.CreateIssueLabelRequest
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			fakegithub.WriteError(w, http.StatusUnprocessableEntity, err.Error())
			return
		}
		if fakegithub.InstallationID(r) != 5 || r.PathValue("owner") != "octo-org" {
			fakegithub.WriteError(w, http.StatusForbidden, "Resource not accessible by integration")
			return
		}
		l := &github.Label{Name: req.Name, Description: req.Description}
		created = append(created, l)
		fakegithub.WriteJSON(w, http.StatusCreated, l)
	})
	fake.Handle("GET /repos/{owner}/{repo}/labels", fakegithub.AuthInstallation, func(w http.ResponseWriter, r *http.Request) {
		fakegithub.WriteJSON(w, http.StatusOK, fakegithub.Paginate(fake, w, r, created))
	})

	gh := installationClient(t, fake, 5)
	ctx := context.Background()
	for _, name := range []string{"feat", "fix", "docs"} {
		if _, _, err := gh.Issues.CreateLabel(ctx, "octo-org", "app", github.CreateIssueLabelRequest{Name: name}); err != nil {
			t.Fatal(err)
		}
	}
	var names []string
	for l, err := range gh.Issues.ListLabelsIter(ctx, "octo-org", "app", nil) {
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, l.GetName())
	}
	if strings.Join(names, ",") != "feat,fix,docs" {
		t.Fatalf("labels over two pages = %v", names)
	}

	// An unauthenticated call is refused; unknown routes answer GitHub's 404.
	anon, _ := github.NewClient(github.WithURLs(&fake.URL, nil))
	if _, _, err := anon.Issues.CreateLabel(ctx, "octo-org", "app", github.CreateIssueLabelRequest{Name: "x"}); !isStatus(err, http.StatusUnauthorized) {
		t.Fatalf("anonymous create: %v, want 401", err)
	}
	if _, _, err := gh.Repositories.Get(ctx, "octo-org", "app"); !isStatus(err, http.StatusNotFound) {
		t.Fatalf("unregistered route: %v, want 404", err)
	}

	// Every request was recorded with its body.
	var bodies []string
	for _, r := range fake.Requests() {
		if r.Method == http.MethodPost && strings.HasSuffix(r.Path, "/labels") {
			bodies = append(bodies, strings.TrimSpace(string(r.Body)))
		}
	}
	if len(bodies) != 4 || bodies[0] != `{"name":"feat"}` {
		t.Fatalf("recorded label bodies %q", bodies)
	}
}

func isStatus(err error, status int) bool {
	e, ok := err.(*github.ErrorResponse)
	return ok && e.Response.StatusCode == status
}

func TestPaginateLinks(t *testing.T) {
	fake := fakegithub.New(t, fakegithub.WithMaxPerPage(100), fakegithub.WithoutOracle()) // /items is no GitHub route
	items := make([]int, 25)
	fake.Handle("GET /items", fakegithub.AuthNone, func(w http.ResponseWriter, r *http.Request) {
		fakegithub.WriteJSON(w, http.StatusOK, fakegithub.Paginate(fake, w, r, items))
	})
	host := strings.TrimSuffix(strings.TrimPrefix(fake.URL, "http://"), "/")
	tests := []struct {
		query, link string
		n           int
	}{
		{"", ``, 25},
		{"?per_page=10", `<http://H/items?page=2&per_page=10>; rel="next", <http://H/items?page=3&per_page=10>; rel="last"`, 10},
		{"?per_page=10&page=2", `<http://H/items?page=1&per_page=10>; rel="prev", <http://H/items?page=1&per_page=10>; rel="first", <http://H/items?page=3&per_page=10>; rel="next", <http://H/items?page=3&per_page=10>; rel="last"`, 10},
		{"?per_page=10&page=3", `<http://H/items?page=2&per_page=10>; rel="prev", <http://H/items?page=1&per_page=10>; rel="first"`, 5},
		{"?per_page=10&page=9", `<http://H/items?page=3&per_page=10>; rel="prev", <http://H/items?page=1&per_page=10>; rel="first"`, 0},
	}
	for _, tt := range tests {
		resp, err := http.Get(fake.URL + "items" + tt.query)
		if err != nil {
			t.Fatal(err)
		}
		var got []int
		json.NewDecoder(resp.Body).Decode(&got)
		resp.Body.Close()
		if link := strings.ReplaceAll(resp.Header.Get("Link"), host, "H"); link != tt.link || len(got) != tt.n {
			t.Errorf("%s: %d items, Link %s; want %d, %s", tt.query, len(got), link, tt.n, tt.link)
		}
	}
}

// installationClient is go-github as installation id of the fake's App.
func installationClient(t *testing.T, fake *fakegithub.Server, id int64) *github.Client {
	t.Helper()
	clients, err := ghapp.New(ghapp.Config{AppID: fake.AppID(), PrivateKey: fake.PrivateKeyPEM(), APIURL: fake.URL})
	if err != nil {
		t.Fatal(err)
	}
	gh, err := clients.Installation(id)
	if err != nil {
		t.Fatal(err)
	}
	return gh
}
