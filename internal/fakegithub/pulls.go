package fakegithub

import (
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strconv"

	"github.com/google/go-github/v93/github"
)

func (rs *Repos) registerPulls() {
	// The list of pull requests in a state (open by default, closed or
	// all), each with its labels, paginated, in GitHub's orders: sort
	// created (the default; the number stands in for a missing created_at)
	// or updated, direction desc by default for created and asc otherwise.
	rs.handle("GET /repos/{owner}/{repo}/pulls", func(w http.ResponseWriter, r *http.Request, repo *Repo) {
		q := r.URL.Query()
		state := q.Get("state")
		if state == "" {
			state = "open"
		}
		var out []*github.PullRequest
		for _, n := range slices.Sorted(maps.Keys(repo.Pulls)) {
			p := repo.Pulls[n]
			if state != "all" && p.PullRequest.GetState() != state {
				continue
			}
			pr := *p.PullRequest
			pr.Labels = repo.pullLabels(p.Labels)
			out = append(out, &pr)
		}
		sortBy, direction := q.Get("sort"), q.Get("direction")
		switch sortBy {
		case "", "created":
			slices.SortStableFunc(out, func(a, b *github.PullRequest) int { return a.GetCreatedAt().Compare(b.GetCreatedAt().Time) })
			if direction == "" {
				direction = "desc"
			}
		case "updated":
			slices.SortStableFunc(out, func(a, b *github.PullRequest) int { return a.GetUpdatedAt().Compare(b.GetUpdatedAt().Time) })
		default:
			WriteError(w, http.StatusUnprocessableEntity, "Validation Failed: sort "+sortBy+" is not served by the fake")
			return
		}
		if direction == "desc" {
			slices.Reverse(out)
		}
		WriteJSON(w, http.StatusOK, Paginate(rs.s, w, r, out))
	})
	rs.handle("GET /repos/{owner}/{repo}/pulls/{number}", func(w http.ResponseWriter, r *http.Request, repo *Repo) {
		if p, ok := pull(w, r, repo); ok {
			// As GitHub, the pull request carries the labels now.
			labels := repo.pullLabels(p.Labels)
			if p.JSON != nil {
				writePullJSON(w, p.JSON, labels)
				return
			}
			pr := *p.PullRequest
			pr.Labels = labels
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
			WriteJSON(w, http.StatusOK, Paginate(rs.s, w, r, repo.servedFiles(p.Files)))
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

// writePullJSON answers a pull request's JSON (without "labels") with its labels.
func writePullJSON(w http.ResponseWriter, pr []byte, labels []*github.Label) {
	encoded, _ := json.Marshal(labels)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	w.Write(slices.Concat([]byte(`{"labels":`), encoded, []byte{','}, pr[1:]))
}
