package webhook

import (
	"errors"
	"net/http"
	"slices"

	"github.com/google/go-github/v93/github"
)

// statusOf returns the HTTP status of a go-github error, 0 if none.
func statusOf(err error) int {
	var e *github.ErrorResponse
	if errors.As(err, &e) && e.Response != nil {
		return e.Response.StatusCode
	}
	return 0
}

// isClientError reports whether GitHub refused a request with a 4xx status
// that retrying will not change (the transport has already waited out rate
// limits): such reads are logged and done without.
func isClientError(err error) bool {
	s := statusOf(err)
	return s >= 400 && s < 500 && s != http.StatusTooManyRequests
}

// isAlreadyExists recognises the 422 GitHub answers when a label exists.
func isAlreadyExists(err error) bool {
	var e *github.ErrorResponse
	if !errors.As(err, &e) || statusOf(err) != http.StatusUnprocessableEntity {
		return false
	}
	return slices.ContainsFunc(e.Errors, func(x github.Error) bool { return x.Code == "already_exists" })
}
