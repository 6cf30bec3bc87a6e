package fakegithub

import (
	"net/http"

	"github.com/google/go-github/v93/github"
)

// registerRepository serves GET /repos/{owner}/{repo}: the repository with
// its default branch and, when set, its clone URL.
func (rs *Repos) registerRepository() {
	rs.handle("GET /repos/{owner}/{repo}", func(w http.ResponseWriter, _ *http.Request, repo *Repo) {
		out := &github.Repository{
			Name: new(repo.Name), FullName: new(repo.Owner + "/" + repo.Name),
			Owner: &github.User{Login: new(repo.Owner)}, DefaultBranch: new(repo.DefaultBranch),
		}
		if repo.CloneURL != "" {
			out.CloneURL = new(repo.CloneURL)
		}
		WriteJSON(w, http.StatusOK, out)
	})
}
