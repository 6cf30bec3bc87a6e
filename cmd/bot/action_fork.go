package main

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/google/go-github/v93/github"

	"github.com/commit-labeler/commit-labeler/webhook"
)

// A pull request from a fork gets a read-only GITHUB_TOKEN under the
// pull_request event whatever the workflow's permissions say, and one that
// writes under pull_request_target ("Maximum access for pull requests from
// public forked repositories": read;
// https://docs.github.com/en/actions/reference/github_token-reference).

// forkDocs is the README section on pull requests from forks.
const forkDocs = "https://github.com/commit-labeler/commit-labeler#pull-requests-from-forks"

// forkWarning is the one warning of a run that could not write to a fork's
// pull request.
const forkWarning = "This pull request comes from a fork: under the pull_request event GitHub gives the job a read-only token, " +
	"so its labels are in the job summary only. Labels need the pull_request_target event.\nSee " + forkDocs

// namedRepository is a repository of an event payload, by full name.
type namedRepository struct {
	FullName string `json:"full_name"`
}

// pullRequestRepos are the repositories of a payload's pull request.
type pullRequestRepos struct {
	Head struct {
		Repo *namedRepository `json:"repo"`
	} `json:"head"`
	Base struct {
		Repo *namedRepository `json:"repo"`
	} `json:"base"`
}

// fromFork reports whether the pull request's head is in another
// repository than its base; a head repository GitHub no longer names (a
// deleted fork) is another.
func (p *pullRequestRepos) fromFork() bool {
	if p == nil || p.Base.Repo == nil {
		return false
	}
	return p.Head.Repo == nil || !strings.EqualFold(p.Head.Repo.FullName, p.Base.Repo.FullName)
}

// readOnlyByDesign reports whether GitHub gives the job a read-only token
// whatever the workflow asks for: a fork's pull request under pull_request.
func (a *actionEnv) readOnlyByDesign() bool { return a.eventName == "pull_request" && a.forkPull }

// refusedWrite returns GitHub's 403 answer to a write (a request other
// than GET) in the handlers' error or a check run's, nil if there is none.
func refusedWrite(err error, reports []webhook.CheckRunReport) *github.ErrorResponse {
	errs := []error{err}
	for _, r := range reports {
		errs = append(errs, r.Err)
	}
	for _, err := range errs {
		var gerr *github.ErrorResponse
		if errors.As(err, &gerr) && gerr.Response != nil && gerr.Response.StatusCode == http.StatusForbidden &&
			gerr.Response.Request != nil && gerr.Response.Request.Method != http.MethodGet {
			return gerr
		}
	}
	return nil
}

// readOnlyHeading heads the job summary of a run GitHub refused to write:
// nothing changed on GitHub, why, and what the check runs below are.
func readOnlyHeading(refused *github.ErrorResponse) string {
	req := refused.Response.Request
	return fmt.Sprintf("## commit-labeler: nothing was changed on GitHub\n\n"+
		"This pull request comes from a fork, and under the `pull_request` event GitHub gives its workflow a read-only token: "+
		"GitHub refused the first write (`%s %s`: %d %s). Below is what commit-labeler would have written; "+
		"under the `pull_request_target` event it labels pull requests from forks ([how](%s)).",
		req.Method, req.URL.Path, refused.Response.StatusCode, refused.Message, forkDocs)
}
