package ghapp

import (
	"context"
	"fmt"

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

// listPageSize is the largest page GitHub serves: fewer round trips.
const listPageSize = 100

// InstallationRepositories lists every installation of the App and every
// repository of each, following pagination. It returns the installations
// that have no repository too (suspended, or none selected), so that a
// caller keeping them can tell "none" from "not listed".
func (c *Clients) InstallationRepositories(ctx context.Context) ([]Installation, error) {
	var out []Installation
	for inst, err := range c.app.Apps.ListInstallationsIter(ctx, &github.ListOptions{PerPage: listPageSize}) {
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
			repos, err := c.installationRepos(ctx, i.ID)
			if err != nil {
				return nil, fmt.Errorf("ghapp: installation %d (%s): %w", i.ID, i.Account, err)
			}
			i.Repositories = repos
		}
		out = append(out, i)
	}
	return out, nil
}

func (c *Clients) installationRepos(ctx context.Context, installationID int64) ([]InstallationRepo, error) {
	gh, err := c.Installation(installationID)
	if err != nil {
		return nil, err
	}
	var out []InstallationRepo
	for r, err := range gh.Apps.ListReposIter(ctx, &github.ListOptions{PerPage: listPageSize}) {
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
