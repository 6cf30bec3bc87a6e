package ghapp_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v93/github"

	"github.com/commit-labeler/commit-labeler/ghapp"
	"github.com/commit-labeler/commit-labeler/internal/fakegithub"
)

// itemsPath is the list TestReadList serves.
const itemsPath = "/items"

// nextPage returns a fakegithub.NextLinks function naming the page pageOf
// gives for the page asked (1 when none), and the per_page asked.
func nextPage(pageOf func(asked int) int) func(url.Values) url.Values {
	return func(q url.Values) url.Values {
		asked, err := strconv.Atoi(q.Get("page"))
		if err != nil {
			asked = 1
		}
		q.Set("page", strconv.Itoa(pageOf(asked)))
		return q
	}
}

// logged returns a logger writing into a buffer, and the buffer.
func logged() (*slog.Logger, *bytes.Buffer) {
	var b bytes.Buffer
	return slog.New(slog.NewTextHandler(&b, nil)), &b
}

func TestReadList(t *testing.T) {
	tests := []struct {
		name  string
		items int
		cap   int
		// next, when set, rewrites every answer's Link (fakegithub.NextLinks).
		next         func(url.Values) url.Values
		wantItems    int
		wantRequests int
		// wantReason is the reason logged for stopping; "" when nothing is.
		wantReason string
	}{
		{name: "whole list", items: 250, cap: 1000, wantItems: 250, wantRequests: 3},
		{name: "exactly the cap", items: 300, cap: 300, wantItems: 300, wantRequests: 3},
		{name: "longer than the cap", items: 3001, cap: 3000, wantItems: 3000, wantRequests: 30, wantReason: "cap 3000 reached"},
		{name: "cap within a page", items: 300, cap: 250, wantItems: 250, wantRequests: 3, wantReason: "cap 250 reached"},
		{
			name: "next always names page 2", items: 250, cap: 3000,
			next:      fakegithub.NextIsPage2,
			wantItems: 200, wantRequests: 2, wantReason: "next page 2 does not advance past page 2",
		},
		{
			name: "next loops back to page 1", items: 500, cap: 3000,
			next:      nextPage(func(asked int) int { return asked%3 + 1 }),
			wantItems: 300, wantRequests: 3, wantReason: "next page 1 does not advance past page 3",
		},
		{
			name: "an empty page names a next page", items: 100, cap: 3000,
			next:      nextPage(func(asked int) int { return asked + 1 }),
			wantItems: 100, wantRequests: 2, wantReason: "an empty page names a next page",
		},
		{
			name: "next cursor read already", items: 250, cap: 3000,
			next: func(q url.Values) url.Values {
				q.Set("cursor", "c2")
				return q
			},
			wantItems: 200, wantRequests: 2, wantReason: `next cursor \"c2\" was read already`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := fakegithub.New(t, fakegithub.WithoutOracle()) // the list is no GitHub route
			items := make([]int, tt.items)
			for i := range items {
				items[i] = i
			}
			fake.Handle("GET "+itemsPath, fakegithub.AuthNone, func(w http.ResponseWriter, r *http.Request) {
				fakegithub.WriteJSON(w, http.StatusOK, fakegithub.Paginate(fake, w, r, items))
			})
			api := fake.URL
			if tt.next != nil {
				api = fakegithub.NextLinks(t, fake, tt.next)
			}
			gh, err := github.NewClient(github.WithURLs(&api, nil))
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			defer cancel()
			pages := func(p ghapp.Page) ([]int, *github.Response, error) {
				q := url.Values{"per_page": {strconv.Itoa(ghapp.PageSize)}}
				if p.Number != 0 {
					q.Set("page", strconv.Itoa(p.Number))
				}
				if p.Cursor != "" {
					q.Set("cursor", p.Cursor)
				}
				req, err := gh.NewRequest(ctx, http.MethodGet, strings.TrimPrefix(itemsPath, "/")+"?"+q.Encode(), nil)
				if err != nil {
					return nil, nil, err
				}
				var page []int
				resp, err := gh.Do(req, &page)
				return page, resp, err
			}
			log, logs := logged()
			var got []int
			for item, err := range ghapp.ReadList(ctx, log, ghapp.List{Name: "items of test", Cap: tt.cap}, pages) {
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, item)
			}
			if len(got) != tt.wantItems {
				t.Errorf("read %d items, want %d", len(got), tt.wantItems)
			}
			if n := fake.RequestsTo(http.MethodGet, itemsPath); n != tt.wantRequests {
				t.Errorf("%d requests, want %d", n, tt.wantRequests)
			}
			want := fmt.Sprintf(`level=WARN msg="stopped reading a GitHub list" list="items of test" items=%d reason="%s"`, tt.wantItems, tt.wantReason)
			switch {
			case tt.wantReason == "" && logs.Len() > 0:
				t.Errorf("logged %q, want nothing", logs)
			case tt.wantReason != "" && !strings.Contains(logs.String(), want):
				t.Errorf("logged %q, want %s", logs, want)
			}
		})
	}
}

func TestReadListYieldsTheError(t *testing.T) {
	fake := fakegithub.New(t)
	gh, err := github.NewClient(github.WithURLs(&fake.URL, nil))
	if err != nil {
		t.Fatal(err)
	}
	pages := func(p ghapp.Page) ([]*github.Label, *github.Response, error) {
		return gh.Issues.ListLabelsByIssue(t.Context(), "octo", "none", 1, &github.ListOptions{Page: p.Number})
	}
	var errs []error
	for _, err := range ghapp.ReadList(t.Context(), slog.Default(), ghapp.List{Name: "labels", Cap: 10}, pages) {
		errs = append(errs, err)
	}
	if len(errs) != 1 || !strings.Contains(fmt.Sprint(errs[0]), "404") {
		t.Fatalf("yielded %v, want one 404 error", errs)
	}
}

// TestInstallationRepositoriesStopsOnALoopingLink lists installations and
// their repositories behind a Link that always names page 2: each list ends
// after its second request, with what it read.
func TestInstallationRepositoriesStopsOnALoopingLink(t *testing.T) {
	fake := fakegithub.New(t, fakegithub.WithMaxPerPage(2))
	for id := int64(1); id <= 3; id++ {
		owner := fmt.Sprintf("org%d", id)
		fake.AddInstallation(fakegithub.NewInstallation(id, owner, "Organization"),
			repo(owner, "a", false), repo(owner, "b", false), repo(owner, "c", false))
	}
	api := fakegithub.NextLinks(t, fake, fakegithub.NextIsPage2)
	clients, err := ghapp.New(ghapp.Config{AppID: fake.AppID(), PrivateKey: fake.PrivateKeyPEM(), APIURL: api})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	log, logs := logged()
	insts, err := clients.InstallationRepositories(ctx, log)
	if err != nil {
		t.Fatal(err)
	}
	if len(insts) != 3 {
		t.Fatalf("%d installations, want 3", len(insts))
	}
	for _, inst := range insts {
		if len(inst.Repositories) != 3 {
			t.Errorf("installation %d: %d repositories, want 3", inst.ID, len(inst.Repositories))
		}
	}
	if n := fake.RequestsTo(http.MethodGet, "/app/installations"); n != 2 {
		t.Errorf("%d installation list requests, want 2", n)
	}
	if n := fake.RequestsTo(http.MethodGet, "/installation/repositories"); n != 6 {
		t.Errorf("%d repository list requests, want 6 (2 per installation)", n)
	}
	for _, want := range []string{
		`list="installations of app 1" items=3 reason="next page 2 does not advance past page 2"`,
		`list="repositories of installation 1" items=3 reason="next page 2 does not advance past page 2"`,
		`list="repositories of installation 3" items=3 reason="next page 2 does not advance past page 2"`,
	} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %s:\n%s", want, logs)
		}
	}
}

// TestInstallationRepositoriesStopsAtTheCap lists more installations than
// MaxInstallations (suspended: no repositories to list).
func TestInstallationRepositoriesStopsAtTheCap(t *testing.T) {
	fake := fakegithub.New(t)
	for id := int64(1); id <= ghapp.MaxInstallations+1; id++ {
		inst := fakegithub.NewInstallation(id, fmt.Sprintf("user%d", id), "User")
		inst.SuspendedAt = &github.Timestamp{Time: time.Now()}
		fake.AddInstallation(inst)
	}
	clients, err := ghapp.New(ghapp.Config{AppID: fake.AppID(), PrivateKey: fake.PrivateKeyPEM(), APIURL: fake.URL})
	if err != nil {
		t.Fatal(err)
	}
	log, logs := logged()
	insts, err := clients.InstallationRepositories(t.Context(), log)
	if err != nil {
		t.Fatal(err)
	}
	if len(insts) != ghapp.MaxInstallations {
		t.Errorf("%d installations, want %d", len(insts), ghapp.MaxInstallations)
	}
	if n, want := fake.RequestsTo(http.MethodGet, "/app/installations"), ghapp.MaxInstallations/ghapp.PageSize; n != want {
		t.Errorf("%d requests, want %d", n, want)
	}
	if want := `list="installations of app 1" items=10000 reason="cap 10000 reached"`; !strings.Contains(logs.String(), want) {
		t.Errorf("log lacks %s:\n%s", want, logs)
	}
}
