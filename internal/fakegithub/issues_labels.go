package fakegithub

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"

	"github.com/google/go-github/v93/github"
)

// defaultLabelColor is the colour GitHub gives a label created implicitly by
// adding it to an issue.
const defaultLabelColor = "ededed"

func (rs *Repos) registerIssueLabels() {
	rs.handle("GET /repos/{owner}/{repo}/issues/{number}/labels", func(w http.ResponseWriter, r *http.Request, repo *Repo) {
		if p, ok := pull(w, r, repo); ok {
			WriteJSON(w, http.StatusOK, Paginate(rs.s, w, r, repo.labels(p.Labels)))
		}
	})
	rs.handle("POST /repos/{owner}/{repo}/issues/{number}/labels", func(w http.ResponseWriter, r *http.Request, repo *Repo) {
		p, ok := pull(w, r, repo)
		if !ok {
			return
		}
		names, err := DecodeLabelNames(r)
		if err != nil {
			WriteError(w, http.StatusUnprocessableEntity, "Invalid request: "+err.Error())
			return
		}
		for _, name := range names {
			if repo.label(name) == nil {
				repo.Labels = append(repo.Labels, &github.Label{Name: name, Color: defaultLabelColor})
			}
			if !slices.Contains(p.Labels, name) {
				p.Labels = append(p.Labels, name)
				p.Events = append(p.Events, LabelEvent("labeled", name, repo.Writer))
			}
		}
		WriteJSON(w, http.StatusOK, repo.labels(p.Labels))
	})
	rs.handle("DELETE /repos/{owner}/{repo}/issues/{number}/labels/{name}", func(w http.ResponseWriter, r *http.Request, repo *Repo) {
		p, ok := pull(w, r, repo)
		if !ok {
			return
		}
		i := slices.Index(p.Labels, r.PathValue("name"))
		if i < 0 {
			WriteError(w, http.StatusNotFound, "Label does not exist")
			return
		}
		p.Events = append(p.Events, LabelEvent("unlabeled", p.Labels[i], repo.Writer))
		p.Labels = slices.Delete(p.Labels, i, i+1)
		WriteJSON(w, http.StatusOK, repo.labels(p.Labels))
	})
	rs.handle("GET /repos/{owner}/{repo}/issues/{number}/events", func(w http.ResponseWriter, r *http.Request, repo *Repo) {
		if p, ok := pull(w, r, repo); ok {
			WriteJSON(w, http.StatusOK, Paginate(rs.s, w, r, p.Events))
		}
	})
	rs.handle("GET /repos/{owner}/{repo}/labels/{name}", func(w http.ResponseWriter, r *http.Request, repo *Repo) {
		if l := repo.label(r.PathValue("name")); l != nil {
			WriteJSON(w, http.StatusOK, l)
			return
		}
		WriteError(w, http.StatusNotFound, "Not Found")
	})
	rs.handle("POST /repos/{owner}/{repo}/labels", func(w http.ResponseWriter, r *http.Request, repo *Repo) {
		var req github.CreateIssueLabelRequest
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Name == "" {
			WriteError(w, http.StatusUnprocessableEntity, "Validation Failed: name is required")
			return
		}
		if repo.label(req.Name) != nil {
			WriteJSON(w, http.StatusUnprocessableEntity, &github.ErrorResponse{
				Message: "Validation Failed",
				Errors:  []github.Error{{Resource: "Label", Code: "already_exists", Field: "name"}},
			})
			return
		}
		l := &github.Label{Name: req.Name, Color: req.GetColor(), Description: req.Description}
		repo.Labels = append(repo.Labels, l)
		WriteJSON(w, http.StatusCreated, l)
	})
}

// LabelEvent is an issue event "labeled" or "unlabeled" of the label name
// by actor, as GET /repos/{owner}/{repo}/issues/{number}/events lists it.
func LabelEvent(event, name string, actor *github.User) *github.IssueEvent {
	return &github.IssueEvent{Event: &event, Label: &github.Label{Name: name}, Actor: actor}
}

// DecodeLabelNames reads the body of "add labels": a JSON array of names or
// {"labels": [...]}, both of which GitHub accepts.
func DecodeLabelNames(r *http.Request) ([]string, error) {
	var raw json.RawMessage
	if err := json.NewDecoder(r.Body).Decode(&raw); err != nil {
		return nil, err
	}
	var names []string
	if err := json.Unmarshal(raw, &names); err == nil {
		return names, nil
	}
	var obj struct {
		Labels []string `json:"labels"`
	}
	err := json.Unmarshal(raw, &obj)
	return obj.Labels, err
}

// label returns the repository label of that name (GitHub compares names
// without regard to case), nil if none.
func (repo *Repo) label(name string) *github.Label {
	for _, l := range repo.Labels {
		if strings.EqualFold(l.Name, name) {
			return l
		}
	}
	return nil
}

// labels returns the repository labels of the names.
func (repo *Repo) labels(names []string) []*github.Label {
	out := make([]*github.Label, 0, len(names))
	for _, n := range names {
		if l := repo.label(n); l != nil {
			out = append(out, l)
		}
	}
	return out
}

// pullLabels are the labels a pull request object carries: the
// repository's label of each name, or just the name. GitHub's description
// of a pull request's labels requires a string description, where
// go-github's Label would send null.
func (repo *Repo) pullLabels(names []string) []*github.Label {
	out := make([]*github.Label, 0, len(names))
	for _, n := range names {
		l := github.Label{Name: n}
		if known := repo.label(n); known != nil {
			l = *known
		}
		if l.Description == nil {
			l.Description = new("")
		}
		out = append(out, &l)
	}
	return out
}
