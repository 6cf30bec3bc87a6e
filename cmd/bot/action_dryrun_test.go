package main

import (
	"strings"
	"testing"

	"github.com/commit-labeler/commit-labeler/classify"
	"github.com/commit-labeler/commit-labeler/internal/fakegithub"
	"github.com/commit-labeler/commit-labeler/repoconfig"
)

// TestActionDryRunReports runs `bot action` in a dry run (the flag, the
// repository's dry_run: true, an invalid configuration file) against the
// fake GitHub serving the file: no label is written, and the job summary
// and a ::notice:: say what would be added and why nothing was.
func TestActionDryRunReports(t *testing.T) {
	if err := classify.InitRuntime(); err != nil {
		t.Skipf("ONNX Runtime absent, run scripts/setup.sh: %v", err)
	}
	const would = "Dry run, nothing changed: would add type: docs"
	for _, tc := range []struct {
		name, config string
		flags        []string
		// checkRuns are the check runs written: a repository's dry run
		// writes them (its report), the flag nothing at all.
		checkRuns int
		summary   []string
		stdout    []string
		warnings  int
	}{
		{name: "--dry-run", flags: []string{"--dry-run=true"},
			summary: []string{"the bot runs with --dry-run"}},
		{name: "dry_run: true", config: "dry_run: true\n", checkRuns: 1,
			summary: []string{"dry_run: true in " + repoconfig.Path}},
		{name: "invalid configuration", config: "lables:\n  docs: documentation\nmax_labels: many\nthresholds:\n  dcos: 0.5\n", checkRuns: 2,
			summary: []string{repoconfig.Path + " is invalid", "3 errors", "adds and removes no label"},
			stdout: []string{
				"::warning file=.github/commit-labeler.yml,line=1,title=commit-labeler: invalid configuration::line 1: lables: unknown key; did you mean labels?\n",
				"::warning file=.github/commit-labeler.yml,line=3,title=commit-labeler: invalid configuration::line 3: max_labels: \"many\": want a whole number, 1 or more\n",
				"::warning file=.github/commit-labeler.yml,line=5,title=commit-labeler: invalid configuration::line 5: thresholds: \"dcos\" is not a label of the vocabulary; did you mean docs?\n",
			}, warnings: 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			payload := exampleEvent(t, "pull_request", "opened", nil)
			fake, repos, token := actionRepo(t, payload)
			if tc.config != "" {
				repos.Update("Codertocat", "Hello-World", func(r *fakegithub.Repo) { r.Files[repoconfig.Path] = tc.config })
			}
			run := runActionProcess(t, fake.URL, token, "pull_request", payload, tc.flags...)
			if run.code != 0 {
				t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", run.code, run.stdout, run.stderr)
			}
			var checkRuns int
			for _, c := range repos.Calls() {
				switch {
				case c.Method == "GET":
				case c.Method == "POST" && strings.HasSuffix(c.Path, "/check-runs"):
					checkRuns++
				default:
					t.Errorf("dry run wrote %s %s", c.Method, c.Path)
				}
			}
			if checkRuns != tc.checkRuns {
				t.Errorf("%d check runs written, want %d", checkRuns, tc.checkRuns)
			}
			if labels := repos.IssueLabels("Codertocat", "Hello-World", 2); len(labels) != 0 {
				t.Errorf("labels %v, want none", labels)
			}
			for _, w := range append(tc.summary, "### commit-labeler: "+would, "No label was added or removed", "| docs | type: docs |", "would be applied (dry run)") {
				if !strings.Contains(run.summary, w) {
					t.Errorf("job summary lacks %q:\n%s", w, run.summary)
				}
			}
			for _, w := range append(tc.stdout, "::notice title=commit-labeler::"+would+"\n") {
				if !strings.Contains(run.stdout, w) {
					t.Errorf("stdout lacks %q:\n%s", w, run.stdout)
				}
			}
			if n := strings.Count(run.stdout, "::warning"); n != tc.warnings {
				t.Errorf("%d ::warning:: lines, want %d:\n%s", n, tc.warnings, run.stdout)
			}
		})
	}
}
