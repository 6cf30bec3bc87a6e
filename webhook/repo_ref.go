package webhook

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/go-github/v93/github"

	"github.com/commit-labeler/commit-labeler/delivery"
	"github.com/commit-labeler/commit-labeler/ghapp"
)

// repoRef names a repository and the installation it is reached through.
type repoRef struct {
	installationID int64
	owner, name    string
	defaultBranch  string
}

func (r repoRef) String() string { return r.owner + "/" + r.name }

// repoResolver tells which repository, reached through which installation,
// an event is about, and whether the App's own bot user caused it.
type repoResolver struct {
	clients *ghapp.InstallationPool
	botUser string
}

// refOf takes the repository and installation of an event. GitHub sends
// the installation with every App delivery; a payload without one (a
// repository webhook, a hand-made delivery) is resolved by asking GitHub
// which installation reaches the repository.
func (s repoResolver) refOf(ctx context.Context, repo *github.Repository, inst *github.Installation) (repoRef, error) {
	if repo == nil || repo.GetOwner().GetLogin() == "" || repo.GetName() == "" {
		return repoRef{}, delivery.Permanent(errors.New("payload has no repository"))
	}
	r := repoRef{owner: repo.GetOwner().GetLogin(), name: repo.GetName(), defaultBranch: repo.GetDefaultBranch(),
		installationID: inst.GetID()}
	if r.installationID == 0 {
		id, err := s.clients.RepositoryInstallation(ctx, r.owner, r.name)
		if errors.Is(err, ghapp.ErrNotInstalled) {
			return r, delivery.Permanent(fmt.Errorf("payload for %s has no installation: %w", r, err))
		}
		if err != nil {
			return r, fmt.Errorf("payload for %s has no installation: %w", r, err)
		}
		r.installationID = id
	}
	return r, nil
}

// isSelf reports whether the App's own bot user caused the event.
func (s repoResolver) isSelf(sender *github.User) bool {
	return sender.GetType() == "Bot" && sender.GetLogin() == s.botUser
}
