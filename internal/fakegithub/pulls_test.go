package fakegithub_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"

	"github.com/google/go-github/v93/github"

	"github.com/commit-labeler/commit-labeler/internal/fakegithub"
)

// TestPullServedFromItsJSON serves the same pull request typed and as
// ready JSON: go-github reads both the same, labels included.
func TestPullServedFromItsJSON(t *testing.T) {
	fake := fakegithub.New(t)
	fake.AddInstallation(fakegithub.NewInstallation(5, "octo-org", "Organization"))
	repos := fakegithub.NewRepos(fake)
	pr := &github.PullRequest{Number: new(7), Title: new(`fix: "quoted" <title>`), State: new("open"),
		Head: &github.PullRequestBranch{SHA: new("abc")}}
	encoded, err := json.Marshal(pr)
	if err != nil {
		t.Fatal(err)
	}
	repos.Add(&fakegithub.Repo{Owner: "octo-org", Name: "app", InstallationID: 5, Pulls: map[int]*fakegithub.Pull{
		7: {PullRequest: pr, Labels: []string{"bug"}},
		8: {PullRequest: pr, JSON: encoded, Labels: []string{"bug"}},
	}})
	gh := installationClient(t, fake, 5)
	var got []*github.PullRequest
	for _, n := range []int{7, 8} {
		p, _, err := gh.PullRequests.Get(context.Background(), "octo-org", "app", n)
		if err != nil {
			t.Fatalf("pull %d: %v", n, err)
		}
		got = append(got, p)
	}
	typed, raw := got[0], got[1]
	if raw.GetTitle() != pr.GetTitle() || raw.GetHead().GetSHA() != "abc" || raw.GetNumber() != 7 {
		t.Errorf("from JSON: %+v", raw)
	}
	names := func(p *github.PullRequest) (out []string) {
		for _, l := range p.Labels {
			out = append(out, l.Name)
		}
		return out
	}
	if !slices.Equal(names(typed), []string{"bug"}) || !slices.Equal(names(raw), names(typed)) {
		t.Errorf("labels typed %v, from JSON %v", names(typed), names(raw))
	}
}
