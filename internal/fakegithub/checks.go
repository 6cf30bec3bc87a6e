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
		}
		repo.CheckRuns = append(repo.CheckRuns, run)
		WriteJSON(w, http.StatusCreated, run)
	})
}
