package fakegithub_test

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/commit-labeler/commit-labeler/internal/fakegithub"
)

// reportingTB stands in for the test the fake serves, to read what the
// fake reports to it when that test ends.
type reportingTB struct {
	testing.TB
	errors   []string
	cleanups []func()
}

func (r *reportingTB) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}
func (r *reportingTB) Cleanup(f func()) { r.cleanups = append(r.cleanups, f) }
func (r *reportingTB) end() {
	for i := len(r.cleanups) - 1; i >= 0; i-- {
		r.cleanups[i]()
	}
}

// TestOracleFailsTheTestOfAWrongRequest sends requests GitHub's OpenAPI
// description refuses: the fake answers 422, as GitHub does, and the test
// that sent them fails naming the operation and the field.
func TestOracleFailsTheTestOfAWrongRequest(t *testing.T) {
	tests := []struct {
		name, method, path, body string
		status                   int
		want                     []string
	}{
		{"check run without head_sha", "POST", "repos/octo-org/app/check-runs",
			`{"name":"commit-labeler","status":"completed","conclusion":"neutral"}`, 422,
			[]string{"checks/create", "field /head_sha", `"head_sha" is missing`}},
		{"check run with an unknown conclusion", "POST", "repos/octo-org/app/check-runs",
			`{"name":"commit-labeler","head_sha":"ce587453ced02b1526dfb4cb910479d431683101","conclusion":"fine"}`, 422,
			[]string{"checks/create", "field /conclusion"}},
		{"labels as a string", "POST", "repos/octo-org/app/issues/7/labels",
			`{"labels":"type: fix"}`, 422,
			[]string{"issues/add-labels", "field /labels"}},
		{"page size not a number", "GET", "repos/octo-org/app/pulls/7/files?per_page=many", "", 422,
			[]string{"pulls/list-files", "parameter per_page (query)"}},
		{"no such operation", "GET", "repos/octo-org/app/labelz", "", 404,
			[]string{"GET /repos/octo-org/app/labelz", "no such operation"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb := &reportingTB{TB: t}
			fake := fakegithub.New(tb)
			fake.AddInstallation(fakegithub.NewInstallation(5, "octo-org", "Organization"))
			req, _ := http.NewRequest(tt.method, fake.URL+tt.path, bytes.NewBufferString(tt.body))
			req.Header.Set("Authorization", "token "+fake.JobToken(5))
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			tb.end()
			if resp.StatusCode != tt.status {
				t.Errorf("answered %d, want GitHub's %d", resp.StatusCode, tt.status)
			}
			if len(tb.errors) != 1 {
				t.Fatalf("the test was failed %d times (%q), want once", len(tb.errors), tb.errors)
			}
			for _, w := range tt.want {
				if !strings.Contains(tb.errors[0], w) {
					t.Errorf("failure %q does not name %q", tb.errors[0], w)
				}
			}
		})
	}
}

// TestOracleChecksWhatTheFakeAnswers registers a handler that answers a
// label with a number for its name: the test fails naming the field, while
// what the handler left out is filled from GitHub's own example.
func TestOracleChecksWhatTheFakeAnswers(t *testing.T) {
	tb := &reportingTB{TB: t}
	fake := fakegithub.New(tb)
	fake.AddInstallation(fakegithub.NewInstallation(5, "octo-org", "Organization"))
	fake.Handle("GET /repos/{owner}/{repo}/labels/{name}", fakegithub.AuthInstallation, func(w http.ResponseWriter, r *http.Request) {
		fakegithub.WriteJSON(w, http.StatusOK, map[string]any{"name": 42})
	})
	fake.Handle("GET /repos/{owner}/{repo}/labels", fakegithub.AuthInstallation, func(w http.ResponseWriter, r *http.Request) {
		fakegithub.WriteJSON(w, http.StatusOK, []map[string]any{{"name": "type: fix"}})
	})
	get := func(path string) string {
		req, _ := http.NewRequest("GET", fake.URL+path, nil)
		req.Header.Set("Authorization", "token "+fake.JobToken(5))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b bytes.Buffer
		b.ReadFrom(resp.Body)
		return b.String()
	}
	list := get("repos/octo-org/app/labels")
	get("repos/octo-org/app/labels/bug")
	tb.end()
	if !strings.Contains(list, `"name":"type: fix"`) || !strings.Contains(list, `"node_id"`) {
		t.Errorf("label list %s: want the handler's name over GitHub's example", list)
	}
	if len(tb.errors) != 1 || !strings.Contains(tb.errors[0], "issues/get-label") || !strings.Contains(tb.errors[0], "field /name") {
		t.Errorf("failures %q, want one naming issues/get-label's field /name", tb.errors)
	}
}
