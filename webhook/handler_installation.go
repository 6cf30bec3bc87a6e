package webhook

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/google/go-github/v93/github"

	"github.com/commit-labeler/commit-labeler/delivery"
	"github.com/commit-labeler/commit-labeler/learnjob"
	"github.com/commit-labeler/commit-labeler/store"
)

// installationHandler keeps the App's installations and their repositories
// in the store.
type installationHandler struct {
	db       *store.DB
	learning learner
	log      *slog.Logger
}

func (h *installationHandler) Handles() []string {
	return []string{"installation", "installation_repositories"}
}

func (h *installationHandler) Handle(ctx context.Context, eventType, deliveryID string, payload []byte) error {
	var err error
	switch eventType {
	case "installation":
		err = h.installation(ctx, eventType, deliveryID, payload)
	case "installation_repositories":
		err = h.repositories(ctx, eventType, deliveryID, payload)
	}
	if err != nil {
		return fmt.Errorf("%s delivery %s: %w", eventType, deliveryID, err)
	}
	return nil
}

func (h *installationHandler) installation(ctx context.Context, eventType, deliveryID string, payload []byte) error {
	ev, err := decode[github.InstallationEvent](eventType, deliveryID, payload)
	if err != nil {
		return err
	}
	inst, err := installationOf(ev.Installation)
	if err != nil {
		return err
	}
	log := h.log.With("delivery", deliveryID, "event", eventType, "action", ev.GetAction(),
		"installation", inst.ID, "account", inst.Account)
	switch ev.GetAction() {
	case "deleted":
		log.InfoContext(ctx, "installation deleted")
		return h.db.DeleteInstallation(ctx, inst.ID)
	case "suspend":
		inst.Suspended = true
	case "unsuspend":
		inst.Suspended = false
	}
	if err := h.db.UpsertInstallation(ctx, inst); err != nil {
		return err
	}
	log.InfoContext(ctx, "installation updated", "suspended", inst.Suspended, "repositories", len(ev.Repositories))
	if ev.GetAction() != "created" {
		return nil // other actions' payloads do not list every repository
	}
	if err := h.db.ReplaceInstallationRepositories(ctx, inst.ID, installationRepos(inst.ID, ev.Repositories)); err != nil {
		return err
	}
	h.learnInstalled(ctx, inst, ev.Repositories)
	return nil
}

// learnInstalled asks for repositories the App was just installed on to be
// learned from their history.
func (h *installationHandler) learnInstalled(ctx context.Context, inst store.Installation, repos []*github.Repository) {
	if inst.Suspended {
		return
	}
	for _, r := range repos {
		h.learning.learn(ctx, learnjob.Args{Repo: r.GetFullName(), CloneURL: r.GetCloneURL(), InstallationID: inst.ID, Reason: learnjob.ReasonInstalled})
	}
}

func (h *installationHandler) repositories(ctx context.Context, eventType, deliveryID string, payload []byte) error {
	ev, err := decode[github.InstallationRepositoriesEvent](eventType, deliveryID, payload)
	if err != nil {
		return err
	}
	inst, err := installationOf(ev.Installation)
	if err != nil {
		return err
	}
	if err := h.db.UpsertInstallation(ctx, inst); err != nil {
		return err
	}
	var removed []string
	for _, r := range ev.RepositoriesRemoved {
		removed = append(removed, r.GetFullName())
	}
	h.log.InfoContext(ctx, "installation repositories changed", "delivery", deliveryID, "installation", inst.ID,
		"added", len(ev.RepositoriesAdded), "removed", len(removed))
	if err := h.db.ChangeInstallationRepositories(ctx, inst.ID, installationRepos(inst.ID, ev.RepositoriesAdded), removed); err != nil {
		return err
	}
	h.learnInstalled(ctx, inst, ev.RepositoriesAdded)
	return nil
}

// installationOf converts a payload's installation.
func installationOf(in *github.Installation) (store.Installation, error) {
	if in.GetID() == 0 {
		return store.Installation{}, delivery.Permanent(fmt.Errorf("payload has no installation"))
	}
	return store.Installation{
		ID:          in.GetID(),
		Account:     in.GetAccount().GetLogin(),
		AccountType: in.GetAccount().GetType(),
		Suspended:   in.SuspendedAt != nil,
	}, nil
}

func installationRepos(id int64, repos []*github.Repository) []store.InstallationRepository {
	out := make([]store.InstallationRepository, 0, len(repos))
	for _, r := range repos {
		out = append(out, store.InstallationRepository{InstallationID: id, FullName: r.GetFullName(), Private: r.GetPrivate()})
	}
	return out
}
