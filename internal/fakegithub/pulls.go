package fakegithub

import (
	"github.com/google/go-github/v93/github"
	"net/http"
	"strconv"
)

func (rs *Repos) registerPulls() {
	rs.handle("GET /repos/{owner}/{repo}/pulls/{number}", func(w http.ResponseWriter, r *http.Request, repo *Repo) {
		if p, ok := pull(w, r, repo); ok {
			// As GitHub, the pull request carries the labels now.
			pr := *p.PullRequest
			pr.Labels = nil
			for _, name := range p.Labels {
				pr.Labels = append(pr.Labels, &github.Label{Name: name})
			}
			WriteJSON(w, http.StatusOK, &pr)
		}
	})
	rs.handle("GET /repos/{owner}/{repo}/pulls/{number}/commits", func(w http.ResponseWriter, r *http.Request, repo *Repo) {
		if p, ok := pull(w, r, repo); ok {
			WriteJSON(w, http.StatusOK, Paginate(rs.s, w, r, p.Commits))
		}
	})
	rs.handle("GET /repos/{owner}/{repo}/pulls/{number}/files", func(w http.ResponseWriter, r *http.Request, repo *Repo) {
		if p, ok := pull(w, r, repo); ok {
			WriteJSON(w, http.StatusOK, Paginate(rs.s, w, r, p.Files))
		}
	})
}

// pull finds the pull request (or issue) the path's {number} names,
// answering 404 when there is none.
func pull(w http.ResponseWriter, r *http.Request, repo *Repo) (*Pull, bool) {
	n, _ := strconv.Atoi(r.PathValue("number"))
	p, ok := repo.Pulls[n]
	if !ok {
		WriteError(w, http.StatusNotFound, "Not Found")
	}
	return p, ok
}
