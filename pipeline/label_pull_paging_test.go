package pipeline

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v93/github"

	commitlabeler "github.com/commit-labeler/commit-labeler"
	"github.com/commit-labeler/commit-labeler/ghapp"
	"github.com/commit-labeler/commit-labeler/internal/fakegithub"
	"github.com/commit-labeler/commit-labeler/store"
)

// TestPullLabelerReadsABoundedList reads a repository's closed pull
// requests behind a Link that always names page 2, and a list longer than
// ghapp.MaxClosedPulls: each read ends, with what it read, and says why in
// the log.
func TestPullLabelerReadsABoundedList(t *testing.T) {
	tests := []struct {
		name    string
		pulls   int
		perPage int
		// next, when set, rewrites every answer's Link (fakegithub.NextLinks).
		next         func(url.Values) url.Values
		wantRead     int64
		wantRequests int
		wantLog      string
	}{
		{
			name: "next always names page 2", pulls: 3, perPage: 2,
			next:     fakegithub.NextIsPage2,
			wantRead: 3, wantRequests: 2,
			wantLog: `list="closed pull requests of acme/app" items=3 reason="next page 2 does not advance past page 2"`,
		},
		{
			name: "longer than the cap", pulls: ghapp.MaxClosedPulls + 1, perPage: ghapp.PageSize,
			wantRead: ghapp.MaxClosedPulls, wantRequests: ghapp.MaxClosedPulls / ghapp.PageSize,
			wantLog: `list="closed pull requests of acme/app" items=10000 reason="cap 10000 reached"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := fakegithub.New(t, fakegithub.WithMaxPerPage(tt.perPage))
			fake.AddInstallation(fakegithub.NewInstallation(1, "acme", "Organization"))
			repo := &fakegithub.Repo{Owner: "acme", Name: "app", InstallationID: 1, Pulls: map[int]*fakegithub.Pull{}}
			start := time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC)
			for i := 1; i <= tt.pulls; i++ {
				at := &github.Timestamp{Time: start.Add(time.Duration(i) * time.Minute)}
				repo.Pulls[i] = &fakegithub.Pull{PullRequest: &github.PullRequest{
					Number: new(i), State: new("closed"), CreatedAt: at, UpdatedAt: at, MergedAt: at,
				}}
			}
			fakegithub.NewRepos(fake).Add(repo)
			api := fake.URL
			if tt.next != nil {
				api = fakegithub.NextLinks(t, fake, tt.next)
			}
			env, logs := newLoggedEnv(t, DefaultOptions())
			// A clone without a configuration file: the default label names.
			if _, err := env.DB.UpsertRepository(t.Context(), store.Repository{Name: "acme/app", URL: "https://github.example/acme/app.git", ClonePath: t.TempDir()}); err != nil {
				t.Fatal(err)
			}
			env.Options.Target = &Target{Repo: "acme/app", InstallationID: 1}
			env.Options.App = ghapp.Config{AppID: fake.AppID(), PrivateKey: fake.PrivateKeyPEM(), APIURL: api}

			// Following the Link would never end: the deadline fails it.
			ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
			defer cancel()
			counts := Counts{}
			if err := (pullLabeler{vocab: commitlabeler.Default()}).run(ctx, env, newTally(counts, store.SourcePullRequest)); err != nil {
				t.Fatal(err)
			}
			if got := counts[store.SourcePullRequest+".read"]; got != tt.wantRead {
				t.Errorf("read %d pull requests, want %d", got, tt.wantRead)
			}
			if requests := fake.RequestsTo(http.MethodGet, "/repos/acme/app/pulls"); requests != tt.wantRequests {
				t.Errorf("%d list requests, want %d", requests, tt.wantRequests)
			}
			if want := `level=WARN msg="stopped reading a GitHub list" ` + tt.wantLog; !strings.Contains(logs.String(), want) {
				t.Errorf("log lacks %s:\n%s", want, logs)
			}
		})
	}
}
