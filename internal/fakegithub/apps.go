package fakegithub

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/google/go-github/v93/github"
)

// AddInstallation makes the App installed as inst (which must have an ID),
// granting repos. An installation with SuspendedAt set is suspended: GitHub
// then refuses it tokens.
func (s *Server) AddInstallation(inst *github.Installation, repos ...*github.Repository) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.installations = append(s.installations, inst)
	s.repos[inst.GetID()] = append(s.repos[inst.GetID()], repos...)
}

func (s *Server) installation(id int64) (*github.Installation, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := slices.IndexFunc(s.installations, func(inst *github.Installation) bool { return inst.GetID() == id })
	if i < 0 {
		return nil, false
	}
	return s.installations[i], true
}

// repositoryInstallation finds the installation granting owner/name: one
// listing the repository, else one on the owner's account granting no list
// (an installation on all of the account's repositories).
func (s *Server) repositoryInstallation(owner, name string) (*github.Installation, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var onAccount *github.Installation
	for _, inst := range s.installations {
		repos := s.repos[inst.GetID()]
		if slices.ContainsFunc(repos, func(r *github.Repository) bool {
			return r.GetOwner().GetLogin() == owner && r.GetName() == name
		}) {
			return inst, true
		}
		if len(repos) == 0 && inst.GetAccount().GetLogin() == owner && onAccount == nil {
			onAccount = inst
		}
	}
	return onAccount, onAccount != nil
}

// registerApps serves the App endpoints GitHub Apps authenticate with.
func (s *Server) registerApps() {
	s.Handle("GET /app/installations", AuthApp, func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		all := slices.Clone(s.installations)
		s.mu.Unlock()
		WriteJSON(w, http.StatusOK, Paginate(s, w, r, all))
	})
	s.Handle("POST /app/installations/{id}/access_tokens", AuthApp, func(w http.ResponseWriter, r *http.Request) {
		id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
		inst, ok := s.installation(id)
		switch {
		case !ok:
			WriteError(w, http.StatusNotFound, "Not Found")
			return
		case inst.SuspendedAt != nil:
			WriteError(w, http.StatusForbidden, "This installation has been suspended")
			return
		}
		tok, exp := s.issueToken(id)
		WriteJSON(w, http.StatusCreated, &github.InstallationToken{
			Token:     &tok,
			ExpiresAt: &github.Timestamp{Time: exp},
		})
	})
	s.Handle("GET /repos/{owner}/{repo}/installation", AuthApp, func(w http.ResponseWriter, r *http.Request) {
		if inst, ok := s.repositoryInstallation(r.PathValue("owner"), r.PathValue("repo")); ok {
			WriteJSON(w, http.StatusOK, inst)
			return
		}
		WriteError(w, http.StatusNotFound, "Not Found")
	})
	s.Handle("GET /installation/repositories", AuthInstallation, func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		repos := slices.Clone(s.repos[InstallationID(r)])
		s.mu.Unlock()
		total := len(repos)
		WriteJSON(w, http.StatusOK, &github.ListRepositories{
			TotalCount:   &total,
			Repositories: Paginate(s, w, r, repos),
		})
	})
}

// NewInstallation returns an installation of the App on account (of type
// "User" or "Organization"), for AddInstallation.
func NewInstallation(id int64, account, accountType string) *github.Installation {
	return &github.Installation{ID: &id, Account: &github.User{Login: &account, Type: &accountType}}
}

// NewRepository returns a repository as the API lists it, for AddInstallation.
func NewRepository(owner, name, cloneURL string, private bool) *github.Repository {
	return &github.Repository{
		Owner:    &github.User{Login: &owner},
		Name:     &name,
		FullName: new(owner + "/" + name),
		CloneURL: &cloneURL,
		Private:  &private,
	}
}
