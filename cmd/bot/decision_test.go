package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-github/v93/github"

	"github.com/commit-labeler/commit-labeler/classify"
	"github.com/commit-labeler/commit-labeler/internal/fakegithub"
	"github.com/commit-labeler/commit-labeler/repoconfig"
)

// trainDecision is a line of `train classify`'s output.
type trainDecision struct {
	Labels []struct {
		Label string `json:"label"`
	} `json:"labels"`
	Source      string `json:"source"`
	Explanation string `json:"explanation"`
}

// TestActionAndTrainClassifyDecideAlike: `train classify --config FILE`
// previews what the bot does. The same pull requests (title, body, the
// README change of actionRepo) go to `bot action` against the fake GitHub
// serving the configuration file, and to the train binary with that file:
// both apply the same labels, from the same source, and the check run
// carries the command line's explanation.
func TestActionAndTrainClassifyDecideAlike(t *testing.T) {
	if err := classify.InitRuntime(); err != nil {
		t.Skipf("ONNX Runtime absent, run scripts/setup.sh: %v", err)
	}
	trainBin := buildCommand(t, t.TempDir(), "train")
	// max_labels keeps feat of feat(i18n); docs needs more than the model
	// gives a README update.
	const config = "max_labels: 1\nthresholds:\n  docs: 0.95\n"
	configFile := filepath.Join(t.TempDir(), "commit-labeler.yml")
	if err := os.WriteFile(configFile, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		title      string
		wantSource string
	}{
		{"fix: bug", classify.SourceTitle},
		{"ci: run on ubuntu-24.04", classify.SourceTitle},
		{"style: reformat", classify.SourceTitle},
		{"feat(i18n): translate the greeting", classify.SourceTitle},
		{"Update the README with new information.", classify.SourceModel},
	} {
		t.Run(tc.title, func(t *testing.T) {
			payload := exampleEvent(t, "pull_request", "opened", withTitle(tc.title))
			fake, repos, token := actionRepo(t, payload)
			repos.Update("Codertocat", "Hello-World", func(r *fakegithub.Repo) {
				r.Files = map[string]string{repoconfig.Path: config}
			})
			run := runActionProcess(t, fake.URL, token, "pull_request", payload)
			if run.code != 0 {
				t.Fatalf("bot action: exit %d\n%s", run.code, run.stderr)
			}
			var botLabels []string
			for _, l := range repos.IssueLabels("Codertocat", "Hello-World", 2) {
				botLabels = append(botLabels, strings.TrimPrefix(l, "type: "))
			}
			runs := repos.CheckRuns("Codertocat", "Hello-World")
			if len(runs) != 1 {
				t.Fatalf("%d check runs, want 1", len(runs))
			}
			checkRun := runs[0].GetOutput().GetSummary() + "\n" + runs[0].GetOutput().GetText()

			var ev github.PullRequestEvent
			if err := json.Unmarshal(payload, &ev); err != nil {
				t.Fatal(err)
			}
			got := trainClassify(t, trainBin, configFile, map[string]any{
				"subject": ev.GetPullRequest().GetTitle(), "body": ev.GetPullRequest().GetBody(),
				"files": []map[string]any{{"path": "README.md", "status": "M", "additions": 1, "deletions": 1}},
				"diff":  "diff --git a/README.md b/README.md\n--- a/README.md\n+++ b/README.md\n@@ -1 +1 @@\n-Hello\n+Hello, world\n",
			})
			var cliLabels []string
			for _, l := range got.Labels {
				cliLabels = append(cliLabels, l.Label)
			}
			t.Logf("train classify: %v, %s", cliLabels, got.Explanation)
			if got.Source != tc.wantSource || !slices.Equal(cliLabels, botLabels) {
				t.Errorf("train classify: %v from %s; bot action: %v; want the same, from %s", cliLabels, got.Source, botLabels, tc.wantSource)
			}
			if !strings.Contains(checkRun, got.Explanation) {
				t.Errorf("check run lacks train classify's explanation %q:\n%s", got.Explanation, checkRun)
			}
		})
	}
}

// trainClassify runs `train classify --config FILE` on one commit.
func trainClassify(t *testing.T, bin, configFile string, commit map[string]any) trainDecision {
	t.Helper()
	line, err := json.Marshal(commit)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), bin, "classify", "--config", configFile)
	cmd.Env = append(os.Environ(), classify.ORTLibraryEnv+"="+classify.ORTLibraryPath())
	cmd.Stdin = bytes.NewReader(line)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("train classify: %v\n%s", err, stderr.String())
	}
	var d trainDecision
	if err := json.Unmarshal(out, &d); err != nil {
		t.Fatalf("train classify printed %q: %v", out, err)
	}
	return d
}
