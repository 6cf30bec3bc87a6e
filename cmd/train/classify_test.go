package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/commit-labeler/commit-labeler/classify"
)

// crashFix is a pull request without a Conventional Commits title that the
// shipped model calls fix at 0.95.
const crashFix = `{"subject":"Fix crash when config is empty","files":[{"path":"internal/config/load.go","status":"M","additions":4,"deletions":1}]}`

// TestClassifyDecidesAsTheBot: `train classify` with the shipped model
// makes the bot's decision: the title rule first, then the model under a
// repository's thresholds and max_labels (--config).
func TestClassifyDecidesAsTheBot(t *testing.T) {
	if err := classify.InitRuntime(); err != nil {
		t.Skipf("ONNX Runtime absent, run scripts/setup.sh: %v", err)
	}
	type want struct {
		labels      []string
		source      string
		explanation string
	}
	title := func(header string, labels ...string) want {
		return want{labels, classify.SourceTitle, "Decided by the title rule: `" + header + "` → " + strings.Join(labels, ", ")}
	}
	for _, tc := range []struct {
		name, config, input string
		want                want
	}{
		{"fix", "", `{"subject":"fix: bug"}`, title("fix: …", "fix")},
		{"ci", "", `{"subject":"ci: run on ubuntu-24.04"}`, title("ci: …", "ci")},
		{"style", "", `{"subject":"style: reformat"}`, title("style: …", "style")},
		{"refactor", "", `{"subject":"refactor: split parser"}`, title("refactor: …", "refactor")},
		{"scope", "", `{"subject":"Fix(parser)!: handle empty input"}`, title("Fix(parser)!: …", "fix")},
		{"i18n scope", "", `{"subject":"feat(i18n): add German"}`, title("feat(i18n): …", "feat", "i18n")},
		{"max_labels", "max_labels: 1\n", `{"subject":"feat(i18n): add German"}`, title("feat(i18n): …", "feat")},
		{"thresholds ignored by the title rule", "threshold: 0.99\n", `{"subject":"fix: bug"}`, title("fix: …", "fix")},
		{"model", "", crashFix, want{[]string{"fix"}, classify.SourceModel, "Decided by the model: fix 0.95 ≥ 0.58"}},
		{"repository threshold", "thresholds:\n  fix: 0.99\n", crashFix,
			want{nil, classify.SourceModel, "no label reached its threshold: closest fix 0.95 < 0.99"}},
		{"repository threshold lower", "threshold: 0.5\n", crashFix,
			want{[]string{"fix"}, classify.SourceModel, "Decided by the model: fix 0.95 ≥ 0.50"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := []string{"classify"}
			if tc.config != "" {
				file := filepath.Join(t.TempDir(), "commit-labeler.yml")
				if err := os.WriteFile(file, []byte(tc.config), 0o600); err != nil {
					t.Fatal(err)
				}
				args = append(args, "--config", file)
			}
			setStdin(t, tc.input)
			code, stdout, errOut := train(t, args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			var got struct {
				Labels []struct {
					Label string `json:"label"`
				} `json:"labels"`
				Abstain     bool   `json:"abstain"`
				Source      string `json:"source"`
				Explanation string `json:"explanation"`
			}
			if err := json.Unmarshal([]byte(stdout), &got); err != nil {
				t.Fatalf("not one JSON line: %v\n%s", err, stdout)
			}
			var labels []string
			for _, l := range got.Labels {
				labels = append(labels, l.Label)
			}
			if !slices.Equal(labels, tc.want.labels) || got.Source != tc.want.source || got.Explanation != tc.want.explanation || got.Abstain != (len(labels) == 0) {
				t.Errorf("got %v from %s (abstain %v): %q\nwant %v from %s: %q", labels, got.Source, got.Abstain, got.Explanation,
					tc.want.labels, tc.want.source, tc.want.explanation)
			}
		})
	}
}

// TestClassifyRefusesAnInvalidConfig: a preview under the defaults would
// not be what the repository asked for, so an invalid --config file stops
// the command with its problems.
func TestClassifyRefusesAnInvalidConfig(t *testing.T) {
	file := filepath.Join(t.TempDir(), "commit-labeler.yml")
	if err := os.WriteFile(file, []byte("max_labels: 0\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path string
		want []string
	}{
		{file, []string{"--config " + file, "line 1", "max_labels"}},
		{filepath.Join(t.TempDir(), "absent.yml"), []string{"--config", "no such file"}},
	} {
		setStdin(t, `{"subject":"fix: bug"}`)
		code, stdout, errOut := train(t, "classify", "--config", tc.path)
		for _, w := range tc.want {
			if code == 0 || stdout != "" || !strings.Contains(errOut, w) {
				t.Errorf("--config %s: exit %d, stdout %q, stderr %q; want a failure naming %q", tc.path, code, stdout, errOut, w)
			}
		}
	}
}
