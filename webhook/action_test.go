package webhook

import (
	"slices"
	"strings"
	"testing"

	"github.com/commit-labeler/commit-labeler/checkrun"
	"github.com/commit-labeler/commit-labeler/internal/fakegithub"
	"github.com/commit-labeler/commit-labeler/repoconfig"
)

// TestReportActionWritesNothing: ReportAction reads GitHub, writes nothing
// and gives OnCheckRun every check run a writing run would create; so does
// a dry run through HandleAction, its check run saying nothing changed.
func TestReportActionWritesNothing(t *testing.T) {
	for _, tc := range []struct {
		name, event string
		badConfig   bool
		dryRun      bool
		want        []string
	}{
		{name: "pull request", event: "pull_request", want: []string{checkrun.PullName}},
		{name: "pull_request_target", event: "pull_request_target", want: []string{checkrun.PullName}},
		{name: "pull request, invalid configuration", event: "pull_request", badConfig: true, want: []string{checkrun.ConfigName, checkrun.PullName}},
		{name: "push", event: "push", want: []string{checkrun.PushName}},
		{name: "dry run through HandleAction", event: "pull_request", dryRun: true, want: []string{checkrun.PullName}},
		{name: "push, dry run through HandleAction", event: "push", dryRun: true, want: []string{checkrun.PushName}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var reports []CheckRunReport
			f := newBotFixture(t, func(c *HandlersConfig) {
				c.DryRun = tc.dryRun
				c.OnCheckRun = func(r CheckRunReport) { reports = append(reports, r) }
			})
			if tc.badConfig {
				f.repos.Update(exOwner, exRepo, func(r *fakegithub.Repo) { r.Files[repoconfig.Path] = "max_labels: many\n" })
			}
			payload := f.pullExample("opened", "Update the README", human, nil)
			if tc.event == "push" {
				payload = example(t, "push", "", func(m map[string]any) bool { return m["ref"] == "refs/heads/master" }, nil)
			}
			handleAction := f.handlers.action.ReportAction
			if tc.dryRun {
				handleAction = f.handlers.action.HandleAction
			}
			if err := handleAction(t.Context(), tc.event, "run-1", payload); err != nil {
				t.Fatal(err)
			}
			if w := f.writes(); len(w) > 0 {
				t.Errorf("writes sent: %v", w)
			}
			var names []string
			for _, r := range reports {
				names = append(names, r.Name)
				if r.Err != nil || r.Summary == "" {
					t.Errorf("report %s: err %v, summary %q", r.Name, r.Err, r.Summary)
				}
				if dry := strings.HasPrefix(r.Title, "Dry run, nothing changed: "); r.Name == checkrun.PullName && dry != (tc.dryRun || tc.badConfig) {
					t.Errorf("report title %q in a dry run: %v", r.Title, tc.dryRun || tc.badConfig)
				}
			}
			if !slices.Equal(names, tc.want) {
				t.Errorf("reports %v, want %v", names, tc.want)
			}
		})
	}
}
