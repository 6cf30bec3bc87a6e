package fakegithub

import (
	"encoding/json"
	"net/http"

	"github.com/google/go-github/v93/github"
)

func (rs *Repos) registerChecks() {
	rs.handle("POST /repos/{owner}/{repo}/check-runs", func(w http.ResponseWriter, r *http.Request, repo *Repo) {
		var req github.CreateCheckRunOptions
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Name == "" || req.HeadSHA == "" {
			WriteError(w, http.StatusUnprocessableEntity, "Invalid request: name and head_sha are required")
			return
		}
		if req.Conclusion != nil && req.CompletedAt == nil {
			WriteError(w, http.StatusUnprocessableEntity, "Invalid request: completed_at is required with a conclusion")
			return
		}
		id := int64(len(repo.CheckRuns) + 1)
		run := &github.CheckRun{
			ID:          &id,
			Name:        &req.Name,
			HeadSHA:     &req.HeadSHA,
			Status:      req.Status,
			Conclusion:  req.Conclusion,
			CompletedAt: req.CompletedAt,
			Output:      req.Output,
			ExternalID:  req.ExternalID,
		}
		repo.CheckRuns = append(repo.CheckRuns, run)
		WriteJSON(w, http.StatusCreated, run)
	})
	// One page holds every check run: the fake never has many per commit.
	rs.handle("GET /repos/{owner}/{repo}/commits/{ref}/check-runs", func(w http.ResponseWriter, r *http.Request, repo *Repo) {
		name := r.URL.Query().Get("check_name")
		var runs []*github.CheckRun
		for _, run := range repo.CheckRuns {
			if run.GetHeadSHA() == r.PathValue("ref") && (name == "" || run.GetName() == name) {
				runs = append(runs, run)
			}
		}
		WriteJSON(w, http.StatusOK, github.ListCheckRunsResults{Total: new(len(runs)), CheckRuns: runs})
	})
}
