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
