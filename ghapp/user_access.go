package ghapp

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/google/go-github/v93/github"
)

// UserAccess is what a person may reach through the App, as GitHub says
// it: the installations of the App they have explicit permission to access
// and, of each, the repositories they can access (their own, those they
// collaborate on, and their organizations').
type UserAccess struct {
	// Login is the person's GitHub login.
	Login string
	// Installations are the ids of the installations.
	Installations []int64
	// Repositories are the repositories' full names, owner/name.
	Repositories []string
}

// UserAccess asks GitHub, with a person's user access token (Exchange),
// who they are (GET /user), the App's installations they can access (GET
// /user/installations) and, for each, the repositories they can access
// through it (GET /user/installations/{installation_id}/repositories),
// each list read with ReadList up to MaxInstallations and
// MaxInstallationRepositories.
func (o OAuth) UserAccess(ctx context.Context, token string, log *slog.Logger) (UserAccess, error) {
	var access UserAccess
	api := DefaultAPIURL
	if o.APIURL != "" {
		api = o.APIURL
	}
	u, err := apiURL(api)
	if err != nil {
		return access, fmt.Errorf("ghapp: %w", err)
	}
	root := u.String()
	gh, err := github.NewClient(github.WithHTTPClient(o.client()), github.WithURLs(&root, nil), github.WithAuthToken(token))
	if err != nil {
		return access, fmt.Errorf("ghapp: API %s: %w", root, err)
	}
	user, _, err := gh.Users.Get(ctx, "")
	if err != nil {
		return access, fmt.Errorf("ghapp: the signed-in user: %w", err)
	}
	access.Login = user.GetLogin()
	list := List{Name: "installations of " + access.Login, Cap: MaxInstallations}
	installations := func(p Page) ([]*github.Installation, *github.Response, error) {
		return gh.Apps.ListUserInstallations(ctx, &github.ListOptions{Page: p.Number, PerPage: PageSize})
	}
	for inst, err := range ReadList(ctx, log, list, installations) {
		if err != nil {
			return access, fmt.Errorf("ghapp: installations of %s: %w", access.Login, err)
		}
		access.Installations = append(access.Installations, inst.GetID())
	}
	for _, id := range access.Installations {
		list := List{Name: fmt.Sprintf("repositories of installation %d for %s", id, access.Login), Cap: MaxInstallationRepositories}
		repos := func(p Page) ([]*github.Repository, *github.Response, error) {
			repos, resp, err := gh.Apps.ListUserRepos(ctx, id, &github.ListOptions{Page: p.Number, PerPage: PageSize})
			return repos.GetRepositories(), resp, err
		}
		for r, err := range ReadList(ctx, log, list, repos) {
			if err != nil {
				return access, fmt.Errorf("ghapp: repositories of installation %d for %s: %w", id, access.Login, err)
			}
			access.Repositories = append(access.Repositories, r.GetFullName())
		}
	}
	return access, nil
}
