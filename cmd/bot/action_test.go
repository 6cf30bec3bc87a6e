package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-github/v93/github"
	"go.yaml.in/yaml/v3"

	"github.com/commit-labeler/commit-labeler/classify"
	"github.com/commit-labeler/commit-labeler/internal/fakegithub"
	"github.com/commit-labeler/commit-labeler/internal/ghexamples"
)

// actionRun is one `bot action` process and what it left behind.
type actionRun struct {
	code           int
	stdout, stderr string
	summary        string
}

// runActionProcess runs the bot binary as `bot action flags…` in an Actions-like
// environment: the event file, the token, the API URL and a job summary.
// The event is held to GitHub's webhook schemas first.
func runActionProcess(t *testing.T, apiURL, token, eventName string, payload []byte, flags ...string) actionRun {
	t.Helper()
	// pull_request_target carries pull_request's payload.
	ghexamples.RequireWebhook(t, strings.TrimSuffix(eventName, "_target"), payload)
	return runActionOnAnyEvent(t, apiURL, token, eventName, payload, flags...)
}

// runActionOnAnyEvent is runActionProcess for event files GitHub never
// writes: malformed, incomplete or of other events.
func runActionOnAnyEvent(t *testing.T, apiURL, token, eventName string, payload []byte, flags ...string) actionRun {
	t.Helper()
	dir := t.TempDir()
	eventPath := filepath.Join(dir, "event.json")
	if err := os.WriteFile(eventPath, payload, 0o600); err != nil {
		t.Fatal(err)
	}
	summary := filepath.Join(dir, "step_summary.md")
	cmd := exec.CommandContext(t.Context(), os.Args[0], append([]string{"action"}, flags...)...)
	cmd.Env = append(os.Environ(), envRunAsBot+"=1",
		"COMMIT_LABELER_CACHE="+filepath.Join(dir, "cache"), classify.ORTLibraryEnv+"="+classify.ORTLibraryPath(),
		"GITHUB_ACTIONS=true", "GITHUB_EVENT_NAME="+eventName, "GITHUB_EVENT_PATH="+eventPath,
		"GITHUB_REPOSITORY=Codertocat/Hello-World", "GITHUB_API_URL="+apiURL, "GITHUB_TOKEN="+token,
		"GITHUB_STEP_SUMMARY="+summary, "GITHUB_RUN_ID=7", "GITHUB_RUN_ATTEMPT=1",
		// No App: the Action must not need one.
		"GITHUB_APP_ID=", "GITHUB_PRIVATE_KEY=", "GITHUB_PRIVATE_KEY_PATH=", "GITHUB_WEBHOOK_SECRET=")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	run := actionRun{stdout: stdout.String(), stderr: stderr.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		run.code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(summary); err == nil {
		run.summary = string(b)
	}
	return run
}

// exampleEvent returns GitHub's example payload of the event and action
// (any action for push, the branch push), changed by edit.
func exampleEvent(t *testing.T, event, action string, edit func(map[string]any)) []byte {
	t.Helper()
	for _, raw := range ghexamples.Load(t)[event] {
		var ev map[string]any
		if err := json.Unmarshal(raw, &ev); err != nil {
			t.Fatal(err)
		}
		if event == "push" && ev["ref"] != "refs/heads/master" || event != "push" && ev["action"] != action {
			continue
		}
		if pr, ok := ev["pull_request"].(map[string]any); ok && pr["draft"] == true {
			continue
		}
		if edit != nil {
			edit(ev)
		}
		b, err := json.Marshal(ev)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	t.Fatalf("no %s %s example", event, action)
	return nil
}

// withTitle sets the example pull request's title.
func withTitle(title string) func(map[string]any) {
	return func(ev map[string]any) { ev["pull_request"].(map[string]any)["title"] = title }
}

// actionsBotUser is the user GITHUB_TOKEN writes as.
var actionsBotUser = &github.User{Login: new("github-actions[bot]"), Type: new("Bot")}

// actionRepo serves the examples' repository and pull request #2 (README.md
// changed) to a job token of installation 1.
func actionRepo(t *testing.T, payload []byte, events ...*github.IssueEvent) (*fakegithub.Server, *fakegithub.Repos, string) {
	t.Helper()
	fake := fakegithub.New(t)
	repos := fakegithub.NewRepos(fake)
	var ev github.PullRequestEvent
	if err := json.Unmarshal(payload, &ev); err != nil {
		t.Fatal(err)
	}
	var push github.PushEvent
	json.Unmarshal(payload, &push)
	repo := &fakegithub.Repo{Owner: "Codertocat", Name: "Hello-World", InstallationID: 1, DefaultBranch: "master", Writer: actionsBotUser,
		Commits: map[string]*github.RepositoryCommit{}}
	if ev.PullRequest != nil {
		repo.Pulls = map[int]*fakegithub.Pull{2: {PullRequest: ev.PullRequest, Events: events,
			Commits: []*github.RepositoryCommit{{SHA: new(ev.GetPullRequest().GetHead().GetSHA())}},
			Files: []*github.CommitFile{{Filename: new("README.md"), Status: new("modified"),
				Additions: new(1), Deletions: new(1), Patch: new("@@ -1 +1 @@\n-Hello\n+Hello, world")}}}}
	}
	for _, c := range push.Commits {
		repo.Commits[c.GetID()] = &github.RepositoryCommit{SHA: new(c.GetID()), Commit: &github.Commit{Message: new(c.GetMessage())},
			Files: []*github.CommitFile{{Filename: new("README.md"), Status: new("modified"), Additions: new(1), Deletions: new(1)}}}
	}
	repos.Add(repo)
	return fake, repos, fake.JobToken(1)
}

// TestActionLabelsPullRequests runs `bot action` on GitHub's example
// pull_request events against the fake GitHub with a job token.
func TestActionLabelsPullRequests(t *testing.T) {
	if err := classify.InitRuntime(); err != nil {
		t.Skipf("ONNX Runtime absent, run scripts/setup.sh: %v", err)
	}
	maintainer := &github.User{Login: new("octocat"), Type: new("User")}
	edited := func(ev map[string]any) {
		withTitle("fix: keep the README's greeting")(ev)
		ev["changes"] = map[string]any{"title": map[string]any{"from": "Update the README with new information."}}
	}
	for _, tc := range []struct {
		name, event, action string
		edit                func(map[string]any)
		history             []*github.IssueEvent
		want, notWant       []string
		checkRun            string
	}{
		{name: "opened, no Conventional header", event: "pull_request", action: "opened",
			want: []string{"type: docs"}, checkRun: "| docs |"},
		{name: "opened, Conventional header", event: "pull_request", action: "opened", edit: withTitle("fix: keep the README's greeting"),
			want: []string{"type: fix"}, notWant: []string{"type: docs"}, checkRun: "| fix |"},
		{name: "pull_request_target", event: "pull_request_target", action: "opened", edit: withTitle("feat: greet the world"),
			want: []string{"type: feat"}, checkRun: "| feat |"},
		{name: "synchronize", event: "pull_request", action: "synchronize", edit: withTitle("perf: cache the greeting"),
			want: []string{"type: perf"}, checkRun: "| perf |"},
		{name: "edited title", event: "pull_request", action: "edited", edit: edited, want: []string{"type: fix"}, checkRun: "| fix |"},
		{name: "a label a maintainer removed earlier", event: "pull_request", action: "synchronize", edit: withTitle("feat: greet the world"),
			history: []*github.IssueEvent{fakegithub.LabelEvent("labeled", "type: feat", actionsBotUser), fakegithub.LabelEvent("unlabeled", "type: feat", maintainer)},
			notWant: []string{"type: feat"}, checkRun: "held back (a maintainer removed it)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			action := tc.action
			if action == "edited" {
				action = "opened" // GitHub's examples have no edited event: an opened one, changed
			}
			payload := exampleEvent(t, "pull_request", action, func(ev map[string]any) {
				ev["action"] = tc.action
				if tc.edit != nil {
					tc.edit(ev)
				}
			})
			fake, repos, token := actionRepo(t, payload, tc.history...)
			run := runActionProcess(t, fake.URL, token, tc.event, payload)
			if run.code != 0 {
				t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", run.code, run.stdout, run.stderr)
			}
			labels := repos.IssueLabels("Codertocat", "Hello-World", 2)
			for _, l := range tc.want {
				if !slices.Contains(labels, l) {
					t.Errorf("labels %v lack %s\n%s", labels, l, run.stderr)
				}
			}
			for _, l := range tc.notWant {
				if slices.Contains(labels, l) {
					t.Errorf("labels %v have %s", labels, l)
				}
			}
			runs := repos.CheckRuns("Codertocat", "Hello-World")
			if len(runs) != 1 || !strings.Contains(runs[0].GetOutput().GetSummary()+runs[0].GetOutput().GetText(), tc.checkRun) {
				t.Fatalf("check runs %d, want 1 that says %q:\n%v", len(runs), tc.checkRun, runs)
			}
			if !strings.Contains(run.stdout, "::notice title=commit-labeler::"+runs[0].GetOutput().GetTitle()) {
				t.Errorf("no ::notice:: with the check run's title %q:\n%s", runs[0].GetOutput().GetTitle(), run.stdout)
			}
			if !strings.Contains(run.summary, runs[0].GetOutput().GetSummary()) {
				t.Errorf("job summary lacks the check run's summary:\n%s", run.summary)
			}
		})
	}
}

// TestActionReportsPushedCommits: a push event gets the check run of its
// commits, and no pull request is touched.
func TestActionReportsPushedCommits(t *testing.T) {
	if err := classify.InitRuntime(); err != nil {
		t.Skipf("ONNX Runtime absent, run scripts/setup.sh: %v", err)
	}
	payload := exampleEvent(t, "push", "", nil)
	fake, repos, token := actionRepo(t, payload)
	run := runActionProcess(t, fake.URL, token, "push", payload)
	if run.code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", run.code, run.stdout, run.stderr)
	}
	var push github.PushEvent
	json.Unmarshal(payload, &push)
	runs := repos.CheckRuns("Codertocat", "Hello-World")
	if len(runs) != 1 || runs[0].GetHeadSHA() != push.GetAfter() {
		t.Fatalf("check runs %v, want one on %s\n%s", runs, push.GetAfter(), run.stderr)
	}
	if !strings.Contains(run.summary, runs[0].GetOutput().GetTitle()) {
		t.Errorf("job summary lacks the check run:\n%s", run.summary)
	}
}

// TestActionFailsClearly: what a misconfigured workflow gets.
func TestActionFailsClearly(t *testing.T) {
	if err := classify.InitRuntime(); err != nil {
		t.Skipf("ONNX Runtime absent, run scripts/setup.sh: %v", err)
	}
	opened := exampleEvent(t, "pull_request", "opened", nil)
	fake, repos, _ := actionRepo(t, opened)
	for _, tc := range []struct {
		name, event, token string
		payload            []byte
		code               int
		want               []string
	}{
		{"a token GitHub refuses", "pull_request", "ghs_refused", opened, exitFailure,
			[]string{"::error title=commit-labeler::GitHub refused the token (401 Bad credentials)", "GITHUB_TOKEN"}},
		{"a malformed event file", "pull_request", "x", []byte(`{"action": "opened", "number": `), exitUsage,
			[]string{"::error title=commit-labeler::event file ", "event.json (GITHUB_EVENT_PATH): not a JSON event"}},
		{"an event without a repository", "pull_request", "x", []byte(`{"action": "opened"}`), exitUsage,
			[]string{"event.json (GITHUB_EVENT_PATH): the pull_request event names no repository"}},
		{"no token", "pull_request", "", opened, exitUsage, []string{"GITHUB_TOKEN is empty"}},
		{"an event it does not handle", "issues", "x", opened, exitFailure,
			[]string{`event "issues": the Action handles pull_request, pull_request_target and push events`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			run := runActionOnAnyEvent(t, fake.URL, tc.token, tc.event, tc.payload)
			if run.code != tc.code {
				t.Errorf("exit %d, want %d", run.code, tc.code)
			}
			for _, w := range tc.want {
				if !strings.Contains(run.stdout, w) {
					t.Errorf("stdout lacks %q:\n%s\nstderr:\n%s", w, run.stdout, run.stderr)
				}
			}
		})
	}
	if labels := repos.IssueLabels("Codertocat", "Hello-World", 2); len(labels) != 0 {
		t.Errorf("labels %v written by failed runs", labels)
	}
}

// TestActionManifest: action.yml at the module root is a composite action
// whose inputs all reach `bot action`, with flags the command accepts.
func TestActionManifest(t *testing.T) {
	raw, err := os.ReadFile("../../action.yml")
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Inputs map[string]struct {
			Description string `yaml:"description"`
		} `yaml:"inputs"`
		Runs struct {
			Using string `yaml:"using"`
			Steps []struct {
				Run string            `yaml:"run"`
				Env map[string]string `yaml:"env"`
			} `yaml:"steps"`
		} `yaml:"runs"`
	}
	if err := yaml.Unmarshal(raw, &m); err != nil {
		t.Fatalf("action.yml: %v", err)
	}
	if m.Runs.Using != "composite" || len(m.Runs.Steps) == 0 {
		t.Fatalf("action.yml runs %+v, want a composite action", m.Runs)
	}
	last := m.Runs.Steps[len(m.Runs.Steps)-1]
	if !strings.Contains(last.Run, "commit-labeler-bot\" action") || last.Env["GITHUB_TOKEN"] != "${{ inputs.token }}" {
		t.Fatalf("the last step does not run bot action with the token input:\n%s", last.Run)
	}
	for name, in := range m.Inputs {
		if in.Description == "" || !strings.Contains(string(raw), "inputs."+name) {
			t.Errorf("input %q is undocumented or unused", name)
		}
	}
	for _, perm := range []string{"pull-requests: write", "checks: write", "contents: read"} {
		if !strings.Contains(string(raw), perm) {
			t.Errorf("action.yml does not say the job needs %q", perm)
		}
	}
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), []string{"action", "--model", "m", "--dry-run=false", "-h"}, &stdout, &stderr); code != 0 {
		t.Fatalf("bot action rejects the flags action.yml passes: exit %d\n%s", code, stderr.String())
	}
}

// readOnlyGitHub stands before the fake GitHub as GitHub stands before a
// token without write permissions: reads pass, and the writes (any method
// but GET) to paths refuses names are refused with GitHub's 403. It returns
// its URL and the writes it refused.
func readOnlyGitHub(t *testing.T, fake *fakegithub.Server, refuses func(path string) bool) (string, func() []string) {
	t.Helper()
	target, err := url.Parse(fake.URL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	var mu sync.Mutex
	var refused []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet || !refuses(r.URL.Path) {
			proxy.ServeHTTP(w, r)
			return
		}
		mu.Lock()
		refused = append(refused, r.Method+" "+r.URL.Path)
		mu.Unlock()
		fakegithub.WriteJSON(w, http.StatusForbidden, map[string]string{
			"message":           "Resource not accessible by integration",
			"documentation_url": "https://docs.github.com/rest/issues/labels#add-labels-to-an-issue",
		})
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/", func() []string {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(refused)
	}
}

// fromFork makes the example pull request's head a fork's branch.
func fromFork(ev map[string]any) {
	head := ev["pull_request"].(map[string]any)["head"].(map[string]any)
	head["label"] = "octocat:patch-1"
	repo := head["repo"].(map[string]any)
	repo["full_name"], repo["fork"] = "octocat/Hello-World", true
	repo["owner"].(map[string]any)["login"] = "octocat"
}

// TestActionForkPullRequests: under pull_request GitHub gives a fork's
// pull request a read-only token, so the job reports the labels in its
// summary, warns once that labels need pull_request_target and succeeds,
// after one refused write; a refused write on the repository's own pull
// request is a missing permission, and fails the job.
func TestActionForkPullRequests(t *testing.T) {
	if err := classify.InitRuntime(); err != nil {
		t.Skipf("ONNX Runtime absent, run scripts/setup.sh: %v", err)
	}
	const heading = "## commit-labeler: nothing was changed on GitHub"
	everything := func(string) bool { return true }
	for _, tc := range []struct {
		name, event, action string
		edit                func(map[string]any)
		// repo prepares the fake's repository: labels that exist already.
		repo func(*fakegithub.Repo)
		// refuses says which writes GitHub refuses the token (none when nil).
		refuses func(path string) bool
		code    int
		// refused is the one write GitHub refuses, if any.
		refused  string
		summary  []string
		stdout   []string
		warnings int
		labels   []string
	}{
		{name: "fork, opened: the label's creation is refused", event: "pull_request", action: "opened", edit: fromFork, refuses: everything,
			refused: "POST /repos/Codertocat/Hello-World/labels",
			summary: []string{heading, "POST /repos/Codertocat/Hello-World/labels", "Resource not accessible by integration", "| docs | type: docs |", "pull_request_target"},
			stdout:  []string{"Labels need the pull_request_target event.%0ASee " + forkDocs}, warnings: 1},
		{name: "fork, synchronize: adding the label is refused", event: "pull_request", action: "synchronize",
			edit: func(ev map[string]any) { fromFork(ev); withTitle("fix: keep the README's greeting")(ev) },
			repo: func(r *fakegithub.Repo) { r.Labels = []*github.Label{{Name: "type: fix"}} }, refuses: everything,
			refused: "POST /repos/Codertocat/Hello-World/issues/2/labels",
			summary: []string{heading, "| fix | type: fix |"}, warnings: 1},
		{name: "fork, labels already there: the check run is refused", event: "pull_request", action: "opened", edit: fromFork,
			repo: func(r *fakegithub.Repo) { r.Pulls[2].Labels = []string{"type: docs"} }, refuses: everything,
			refused: "POST /repos/Codertocat/Hello-World/check-runs",
			summary: []string{heading, "| docs | type: docs |", "kept"}, warnings: 1, labels: []string{"type: docs"}},
		{name: "own pull request without pull-requests: write", event: "pull_request", action: "opened", refuses: everything, code: exitFailure,
			refused: "POST /repos/Codertocat/Hello-World/labels",
			stdout:  []string{"::error title=commit-labeler::GitHub refused the token a permission (403 Resource not accessible by integration): the workflow needs permissions pull-requests: write:"}},
		{name: "own pull request without checks: write", event: "pull_request", action: "opened",
			repo: func(r *fakegithub.Repo) { r.Pulls[2].Labels = []string{"type: docs"} }, refuses: everything, code: exitFailure,
			refused: "POST /repos/Codertocat/Hello-World/check-runs", summary: []string{"### commit-labeler: Labels: docs"},
			stdout: []string{"the workflow needs permissions checks: write:"}, labels: []string{"type: docs"}},
		{name: "fork with a token that writes labels but not checks", event: "pull_request", action: "opened", edit: fromFork,
			refuses: func(path string) bool { return strings.HasSuffix(path, "/check-runs") }, code: exitFailure,
			refused: "POST /repos/Codertocat/Hello-World/check-runs", summary: []string{"### commit-labeler: Labels: docs"},
			stdout: []string{"the workflow needs permissions checks: write:"}, labels: []string{"type: docs"}},
		{name: "fork under pull_request_target", event: "pull_request_target", action: "opened", edit: fromFork,
			summary: []string{"### commit-labeler: Labels: docs"}, stdout: []string{"::notice title=commit-labeler::Labels: docs"},
			labels: []string{"type: docs"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			payload := exampleEvent(t, "pull_request", tc.action, tc.edit)
			fake, repos, token := actionRepo(t, payload)
			if tc.repo != nil {
				repos.Update("Codertocat", "Hello-World", tc.repo)
			}
			apiURL, refused := fake.URL, func() []string { return nil }
			if tc.refuses != nil {
				apiURL, refused = readOnlyGitHub(t, fake, tc.refuses)
			}
			run := runActionProcess(t, apiURL, token, tc.event, payload)
			if run.code != tc.code {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", run.code, tc.code, run.stdout, run.stderr)
			}
			if got := refused(); tc.refuses != nil && !slices.Equal(got, []string{tc.refused}) {
				t.Errorf("writes refused %q, want one, %q", got, tc.refused)
			}
			for _, w := range tc.summary {
				if !strings.Contains(run.summary, w) {
					t.Errorf("job summary lacks %q:\n%s", w, run.summary)
				}
			}
			if !slices.Contains(tc.summary, heading) && strings.Contains(run.summary, heading) {
				t.Errorf("job summary says nothing was changed:\n%s", run.summary)
			}
			for _, w := range tc.stdout {
				if !strings.Contains(run.stdout, w) {
					t.Errorf("stdout lacks %q:\n%s", w, run.stdout)
				}
			}
			if n := strings.Count(run.stdout, "::warning"); n != tc.warnings {
				t.Errorf("%d ::warning:: lines, want %d:\n%s", n, tc.warnings, run.stdout)
			}
			if labels := repos.IssueLabels("Codertocat", "Hello-World", 2); !slices.Equal(labels, tc.labels) {
				t.Errorf("labels %v, want %v", labels, tc.labels)
			}
		})
	}
}

// pullRequestCodeSteps lists the steps of an action manifest that check out
// or name the pull request's code: under pull_request_target the job holds
// a token that writes, which the pull request's code must never get.
func pullRequestCodeSteps(t *testing.T, manifest []byte) []string {
	t.Helper()
	var m struct {
		Runs struct {
			Steps []struct {
				Name string            `yaml:"name"`
				Uses string            `yaml:"uses"`
				Run  string            `yaml:"run"`
				With map[string]string `yaml:"with"`
				Env  map[string]string `yaml:"env"`
			} `yaml:"steps"`
		} `yaml:"runs"`
	}
	if err := yaml.Unmarshal(manifest, &m); err != nil {
		t.Fatalf("action manifest: %v", err)
	}
	var found []string
	for i, s := range m.Runs.Steps {
		if strings.HasPrefix(s.Uses, "actions/checkout") {
			found = append(found, fmt.Sprintf("step %d %q uses %s", i+1, s.Name, s.Uses))
		}
		text := s.Run
		for _, v := range slices.Concat(slices.Collect(maps.Values(s.With)), slices.Collect(maps.Values(s.Env))) {
			text += "\n" + v
		}
		for _, ref := range []string{"github.event.pull_request.head", "github.head_ref", "merge_commit_sha", "refs/pull/"} {
			if strings.Contains(text, ref) {
				found = append(found, fmt.Sprintf("step %d %q names %s", i+1, s.Name, ref))
			}
		}
	}
	return found
}

// TestActionRunsNoPullRequestCode: README says pull_request_target is safe
// with this Action because it never checks out or runs the pull request's
// code; action.yml must keep that true.
func TestActionRunsNoPullRequestCode(t *testing.T) {
	raw, err := os.ReadFile("../../action.yml")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		manifest []byte
		want     int
	}{
		{"action.yml", raw, 0},
		{"a checkout", []byte("runs:\n  steps:\n    - uses: actions/checkout@v4\n"), 1},
		{"the head checked out", []byte("runs:\n  steps:\n    - uses: actions/checkout@v4\n      with:\n        ref: ${{ github.event.pull_request.head.sha }}\n"), 2},
		{"the head fetched", []byte("runs:\n  steps:\n    - run: git fetch origin \"refs/pull/${{ github.event.number }}/head\" && make\n"), 1},
		{"the head's branch in the environment", []byte("runs:\n  steps:\n    - run: ./build.sh\n      env:\n        BRANCH: ${{ github.head_ref }}\n"), 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if found := pullRequestCodeSteps(t, tc.manifest); len(found) != tc.want {
				t.Errorf("found %d steps running the pull request's code, want %d: %q", len(found), tc.want, found)
			}
		})
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "\n### Pull requests from forks\n") || !strings.HasSuffix(forkDocs, "#pull-requests-from-forks") {
		t.Errorf("README has no section %s points to", forkDocs)
	}
}
