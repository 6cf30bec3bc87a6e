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
			Name: github.Ptr(repo.Name), FullName: github.Ptr(repo.Owner + "/" + repo.Name),
			Owner: &github.User{Login: github.Ptr(repo.Owner)}, DefaultBranch: github.Ptr(repo.DefaultBranch),
		}
		if repo.CloneURL != "" {
			out.CloneURL = github.Ptr(repo.CloneURL)
		}
		WriteJSON(w, http.StatusOK, out)
	})
}
