package ghapp

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/google/go-github/v93/github"
)

// Installation is one installation of the App with the repositories it
// grants.
type Installation struct {
	ID int64
	// Account is the login of the user or organization that installed the App.
	Account string
	// AccountType is "User" or "Organization".
	AccountType string
	// Suspended installations grant no token, so their Repositories are empty.
	Suspended bool
	// Repositories are those the installation grants, by full name.
	Repositories []InstallationRepo
}

// InstallationRepo is a repository reachable through an installation.
type InstallationRepo struct {
	InstallationID int64
	Owner          string
	Name           string
	// CloneURL is the https clone URL, without credentials.
	CloneURL string
	Private  bool
}

// FullName returns owner/name.
func (r InstallationRepo) FullName() string { return r.Owner + "/" + r.Name }

// InstallationRepositories lists every installation of the App and every
// repository of each, following pagination up to MaxInstallations and
// MaxInstallationRepositories (ReadList, logging on log where it stops).
// It returns the installations that have no repository too (suspended, or
// none selected), so that a caller keeping them can tell "none" from "not
// listed".
func (c *Clients) InstallationRepositories(ctx context.Context, log *slog.Logger) ([]Installation, error) {
	var out []Installation
	list := List{Name: fmt.Sprintf("installations of app %d", c.appID), Cap: MaxInstallations}
	pages := func(p Page) ([]*github.Installation, *github.Response, error) {
		return c.app.Apps.ListInstallations(ctx, &github.ListOptions{Page: p.Number, PerPage: PageSize})
	}
	for inst, err := range ReadList(ctx, log, list, pages) {
		if err != nil {
			return nil, fmt.Errorf("ghapp: app %d: list installations: %w", c.appID, err)
		}
		i := Installation{
			ID:          inst.GetID(),
			Account:     inst.GetAccount().GetLogin(),
			AccountType: inst.GetAccount().GetType(),
			Suspended:   inst.SuspendedAt != nil,
		}
		if !i.Suspended {
			repos, err := c.installationRepos(ctx, i.ID, log)
			if err != nil {
				return nil, fmt.Errorf("ghapp: installation %d (%s): %w", i.ID, i.Account, err)
			}
			i.Repositories = repos
		}
		out = append(out, i)
	}
	return out, nil
}

func (c *Clients) installationRepos(ctx context.Context, installationID int64, log *slog.Logger) ([]InstallationRepo, error) {
	gh, err := c.Installation(installationID)
	if err != nil {
		return nil, err
	}
	var out []InstallationRepo
	list := List{Name: fmt.Sprintf("repositories of installation %d", installationID), Cap: MaxInstallationRepositories}
	pages := func(p Page) ([]*github.Repository, *github.Response, error) {
		repos, resp, err := gh.Apps.ListRepos(ctx, &github.ListOptions{Page: p.Number, PerPage: PageSize})
		return repos.GetRepositories(), resp, err
	}
	for r, err := range ReadList(ctx, log, list, pages) {
		if err != nil {
			return nil, fmt.Errorf("list repositories: %w", err)
		}
		out = append(out, InstallationRepo{
			InstallationID: installationID,
			Owner:          r.GetOwner().GetLogin(),
			Name:           r.GetName(),
			CloneURL:       r.GetCloneURL(),
			Private:        r.GetPrivate(),
		})
	}
	return out, nil
}
