package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-github/v93/github"

	"github.com/commit-labeler/commit-labeler/checkrun"
	"github.com/commit-labeler/commit-labeler/classify"
	"github.com/commit-labeler/commit-labeler/delivery"
	"github.com/commit-labeler/commit-labeler/internal/fakegithub"
	"github.com/commit-labeler/commit-labeler/models"
	"github.com/commit-labeler/commit-labeler/repoconfig"
	"github.com/commit-labeler/commit-labeler/store"
)

func TestPullRequestConventionalTitleLabelsAndCreatesLabels(t *testing.T) {
	f := newBotFixture(t)
	f.mustDeliver("pull_request", f.pullExample("opened", "feat(i18n): add a French README", human, nil))

	if got, want := f.labels(), []string{"type: feat", "type: i18n"}; !slices.Equal(got, want) {
		t.Fatalf("labels = %v, want %v", got, want)
	}
	if len(f.model.calls) != 0 {
		t.Errorf("the classifier was called for a Conventional Commits title")
	}
	for _, r := range f.fake.Requests() {
		if strings.HasSuffix(r.Path, "/files") {
			t.Errorf("the files were listed for a Conventional Commits title: %s %s", r.Method, r.Path)
		}
		if r.Method == "GET" && strings.HasSuffix(r.Path, "/issues/2/labels") {
			t.Errorf("the labels were listed, though the pull request read from GitHub carries them: %s", r.Path)
		}
	}
	for _, l := range f.repos.RepoLabels(exOwner, exRepo) {
		if l.Name == "type: feat" && (l.Color != "1d76db" || !strings.HasPrefix(l.GetDescription(), "Adds a new feature")) {
			t.Errorf("created label %q: colour %q, description %q; want labels.json's", l.Name, l.Color, l.GetDescription())
		}
	}
	runs := f.checkRuns(checkrun.PullName)
	if len(runs) != 1 {
		t.Fatalf("%d %q check runs, want 1", len(runs), checkrun.PullName)
	}
	text := runs[0].GetOutput().GetText()
	for _, want := range []string{"| feat | type: feat | 100% | title rule | applied |", "| i18n |"} {
		if !strings.Contains(text, want) {
			t.Errorf("check run text lacks %q:\n%s", want, text)
		}
	}
	if runs[0].GetHeadSHA() != "ec26c3e57ca3a959ca5aad62de7213c562f8c821" || runs[0].GetConclusion() != "neutral" {
		t.Errorf("check run on %s concluded %s", runs[0].GetHeadSHA(), runs[0].GetConclusion())
	}
	preds, _ := f.db.BotPredictions(context.Background(), exOwner+"/"+exRepo)
	if len(preds) != 1 || preds[0].Source != "title" || !slices.Equal(preds[0].Labels, []string{"feat", "i18n"}) {
		t.Errorf("stored predictions = %+v", preds)
	}
}

func TestPullRequestModelDecidesOtherTitles(t *testing.T) {
	f := newBotFixture(t)
	f.model.set("readme", "docs", 0.91)
	f.mustDeliver("pull_request", f.pullExample("opened", "Update the README with new information.", human, nil))

	if got := f.labels(); !slices.Equal(got, []string{"type: docs"}) {
		t.Fatalf("labels = %v, want [type: docs]", got)
	}
	if len(f.model.calls) != 1 {
		t.Fatalf("classifier called %d times, want 1", len(f.model.calls))
	}
	in := f.model.calls[0]
	if in.FilesChanged != 3 || in.Files[0].Path != "README.md" || !in.Files[1].Binary {
		t.Errorf("classifier input files = %+v", in.Files)
	}
	for _, want := range []string{
		"diff --git a/README.md b/README.md\n--- a/README.md\n+++ b/README.md\n@@ -1,2 +1,2 @@",
		"diff --git a/docs/logo.png b/docs/logo.png\nnew file mode 100644\nBinary files /dev/null and b/docs/logo.png differ",
	} {
		if !strings.Contains(in.Diff, want) {
			t.Errorf("diff lacks %q:\n%s", want, in.Diff)
		}
	}
	text := f.checkRuns(checkrun.PullName)[0].GetOutput().GetText()
	for _, want := range []string{
		"| docs | type: docs | 91% | model | applied |",
		// The probabilities as bars, most probable first.
		"**Model scores**\n\n| Label | Probability | |\n|---|---|--:|\n| docs | ██████████████████▎ | 91% |\n| chore | █ | 5% |\n",
		// The reasons in words, then their raw names folded away.
		"**What points to docs**\n\n- title words: readme\n- 2 of 3 changed files are documentation: README.md, docs/logo.png\n",
		"<details><summary>Model features</summary>\n\n| Feature | Contribution |\n|---|---|\n| `s:readme` | +1.250 |\n| `cs:docs:mid` | +0.500 |\n\n</details>",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("check run text lacks %q:\n%s", want, text)
		}
	}
}

func TestPullRequestSynchronizeRemovesOnlyTheBotsStaleLabel(t *testing.T) {
	f := newBotFixture(t)
	f.model.set("readme", "fix", 0.8)
	title := "Update the README with new information."
	f.mustDeliver("pull_request", f.pullExample("opened", title, human, nil))
	// A maintainer adds a vocabulary label and an unrelated one.
	f.setLabels(append(f.labels(), "type: perf", "help wanted")...)
	f.mustDeliver("pull_request", f.pullExample("labeled", title, human, func(m map[string]any) {
		m["label"] = map[string]any{"name": "type: perf"}
	}))

	f.model.set("readme", "feat", 0.7)
	f.mustDeliver("pull_request", f.pullExample("synchronize", title, human, nil))
	if got, want := f.labels(), []string{"help wanted", "type: feat", "type: perf"}; !slices.Equal(got, want) {
		t.Fatalf("labels = %v, want %v", got, want)
	}
	// The prediction changes to perf and back: perf stays (a human's), feat goes.
	f.model.set("readme", "perf", 0.7)
	f.mustDeliver("pull_request", f.pullExample("synchronize", title, human, nil))
	if got, want := f.labels(), []string{"help wanted", "type: perf"}; !slices.Equal(got, want) {
		t.Fatalf("labels = %v, want %v", got, want)
	}
}

func TestPullRequestLabelRemovedByHumanIsNotReAdded(t *testing.T) {
	f := newBotFixture(t)
	f.model.set("readme", "fix", 0.8)
	title := "Update the README with new information."
	f.mustDeliver("pull_request", f.pullExample("opened", title, human, nil))
	f.setLabels()
	f.mustDeliver("pull_request", f.pullExample("unlabeled", title, human, func(m map[string]any) {
		m["label"] = map[string]any{"name": "type: fix"}
	}))
	f.mustDeliver("pull_request", f.pullExample("synchronize", title, human, nil))
	if got := f.labels(); len(got) != 0 {
		t.Fatalf("labels = %v, want none: a maintainer removed type: fix", got)
	}
	runs := f.checkRuns(checkrun.PullName)
	if text := runs[len(runs)-1].GetOutput().GetText(); !strings.Contains(text, "held back") {
		t.Errorf("check run does not say the label is held back:\n%s", text)
	}
}

func TestPullRequestLabelChangesByHumansAreCorrections(t *testing.T) {
	f := newBotFixture(t)
	ctx := context.Background()
	title := "Update the README with new information."
	for _, tt := range []struct {
		action string
		sender map[string]any
		label  string
	}{
		{"labeled", human, "type: docs"},
		{"unlabeled", human, "type: fix"},
		{"labeled", self, "type: feat"},       // the bot's own change
		{"labeled", human, "help wanted"},     // not a vocabulary label
		{"unlabeled", self, "type: refactor"}, // the bot's own change
	} {
		f.mustDeliver("pull_request", f.pullExample(tt.action, title, tt.sender, func(m map[string]any) {
			m["label"] = map[string]any{"name": tt.label}
		}))
	}
	got, err := f.db.Corrections(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Two corrections, each on the pull request's three commits.
	var summary []string
	for _, c := range got {
		summary = append(summary, c.Label+" "+c.Action+" "+c.SHA[:2])
	}
	slices.Sort(summary)
	want := []string{"docs added c1", "docs added c2", "docs added ec", "fix removed c1", "fix removed c2", "fix removed ec"}
	if !slices.Equal(summary, want) {
		t.Fatalf("corrections = %v, want %v", summary, want)
	}
	st, _, _ := f.db.PullState(ctx, exOwner+"/"+exRepo, exPull)
	if st.Labels["docs"].State != store.PullLabelHumanAdded || st.Labels["fix"].State != store.PullLabelHumanRemoved {
		t.Errorf("label states = %+v", st.Labels)
	}
	if len(f.writes()) != 0 {
		t.Errorf("label events wrote to GitHub: %+v", f.writes())
	}
}

// TestCorrectionNamesTheHeadWhenCommitsCannotBeListed: the commits are
// listed when a maintainer corrects; when GitHub refuses, the correction
// still counts, on the head commit of the delivery's pull request.
func TestCorrectionNamesTheHeadWhenCommitsCannotBeListed(t *testing.T) {
	f := newBotFixture(t)
	payload := f.pullExample("labeled", "Update the README with new information.", human, func(m map[string]any) {
		m["label"] = map[string]any{"name": "type: docs"}
	})
	f.repos.Update(exOwner, exRepo, func(r *fakegithub.Repo) { delete(r.Pulls, exPull) }) // commits: 404
	f.mustDeliver("pull_request", payload)
	got, err := f.db.Corrections(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var ev github.PullRequestEvent
	if err := json.Unmarshal(payload, &ev); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].SHA != ev.GetPullRequest().GetHead().GetSHA() || got[0].Label != "docs" {
		t.Fatalf("corrections = %+v, want docs added on the head %s", got, ev.GetPullRequest().GetHead().GetSHA())
	}
}

func TestPullRequestEventsByTheBotAreIgnored(t *testing.T) {
	f := newBotFixture(t)
	f.mustDeliver("pull_request", f.pullExample("synchronize", "feat: x", self, nil))
	f.mustDeliver("pull_request", f.pullExample("opened", "feat: x", self, nil))
	if calls := f.repos.Calls(); len(calls) != 0 {
		t.Fatalf("the bot's own event made %d calls", len(calls))
	}
}

func TestPullRequestLabelMapping(t *testing.T) {
	f := newBotFixture(t)
	f.repos.Update(exOwner, exRepo, func(r *fakegithub.Repo) {
		r.Files[repoconfig.Path] = "labels:\n  fix: bug\n  feat: enhancement\n"
	})
	f.mustDeliver("pull_request", f.pullExample("opened", "fix: crash on start", human, nil))
	if got := f.labels(); !slices.Equal(got, []string{"bug"}) {
		t.Fatalf("labels = %v, want [bug]", got)
	}
	for _, c := range f.writes() {
		if c.Method == "POST" && strings.HasSuffix(c.Path, "/labels") && !strings.Contains(c.Path, "/issues/") {
			t.Errorf("created a label although %q exists: %+v", "bug", c)
		}
	}
	f.mustDeliver("pull_request", f.pullExample("unlabeled", "fix: crash on start", human, func(m map[string]any) {
		m["label"] = map[string]any{"name": "bug"}
	}))
	got, _ := f.db.Corrections(context.Background())
	if len(got) == 0 || got[0].Label != "fix" || got[0].Action != store.CorrectionRemoved {
		t.Fatalf("corrections = %+v, want fix removed", got)
	}
}

// TestPullRequestInvalidConfigChangesNoLabel: while the configuration
// file is invalid the bot adds and removes no label (not the defaults'),
// lists every error in the config check run and says in the pull request's
// check run what it would do and why it did not.
func TestPullRequestInvalidConfigChangesNoLabel(t *testing.T) {
	f := newBotFixture(t)
	f.mustDeliver("pull_request", f.pullExample("opened", "fix: crash on start", human, nil))
	if got := f.labels(); !slices.Equal(got, []string{"type: fix"}) {
		t.Fatalf("labels = %v, want [type: fix] before the file breaks", got)
	}
	f.repos.Update(exOwner, exRepo, func(r *fakegithub.Repo) {
		r.Files[repoconfig.Path] = "lables:\n  fix: bug\nthreshold: 2\nmax_labels: many\n"
	})
	if err := f.db.ForgetRepoConfigFile(context.Background(), exOwner+"/"+exRepo); err != nil {
		t.Fatal(err)
	}
	before := len(f.writes())
	f.mustDeliver("pull_request", f.pullExample("synchronize", "docs: explain the setup", human, nil))
	for _, w := range f.writes()[before:] {
		if !strings.HasSuffix(w.Path, "/check-runs") {
			t.Errorf("invalid configuration, yet %s %s", w.Method, w.Path)
		}
	}
	if got := f.labels(); !slices.Equal(got, []string{"type: fix"}) {
		t.Errorf("labels = %v, want [type: fix] untouched", got)
	}
	runs := f.checkRuns(checkrun.ConfigName)
	if len(runs) != 1 {
		t.Fatalf("%d config check runs, want 1", len(runs))
	}
	summary := runs[0].GetOutput().GetSummary()
	for _, want := range []string{"3 errors", "line 1: lables: unknown key; did you mean labels?",
		"line 3: threshold: 2 is not between 0 and 1", `line 4: max_labels: "many": want a whole number`, "adds and removes no label"} {
		if !strings.Contains(summary, want) {
			t.Errorf("config check run lacks %q:\n%s", want, summary)
		}
	}
	pulls := f.checkRuns(checkrun.PullName)
	last := pulls[len(pulls)-1].GetOutput()
	if want := "Dry run, nothing changed: would add type: docs; would remove type: fix"; last.GetTitle() != want {
		t.Errorf("check run title %q, want %q", last.GetTitle(), want)
	}
	if !strings.Contains(last.GetSummary(), repoconfig.Path+" is invalid") || !strings.Contains(last.GetText(), checkrun.WouldApply) {
		t.Errorf("check run does not say why nothing changed:\n%s\n%s", last.GetSummary(), last.GetText())
	}
}

// TestDryRunWritesNoLabel: a dry run changes no label. The operator's
// --dry-run writes nothing at all; a repository's dry_run: true writes its
// check runs, which are its report.
func TestDryRunWritesNoLabel(t *testing.T) {
	for _, tt := range []struct {
		name      string
		global    bool
		file      string
		checkRuns int
	}{{"global", true, "", 0}, {"repository", false, "dry_run: true\n", 2}} {
		t.Run(tt.name, func(t *testing.T) {
			f := newBotFixture(t, func(c *HandlersConfig) { c.DryRun = tt.global })
			if tt.file != "" {
				f.repos.Update(exOwner, exRepo, func(r *fakegithub.Repo) { r.Files[repoconfig.Path] = tt.file })
			}
			f.mustDeliver("pull_request", f.pullExample("opened", "fix: crash", human, nil))
			f.mustDeliver("push", pushExample(t, 3, nil))
			writes := f.writes()
			for _, w := range writes {
				if !strings.HasSuffix(w.Path, "/check-runs") {
					t.Errorf("dry run wrote %s %s", w.Method, w.Path)
				}
			}
			if len(writes) != tt.checkRuns {
				t.Errorf("%d check runs written, want %d", len(writes), tt.checkRuns)
			}
			if runs := f.checkRuns(checkrun.PullName); tt.checkRuns > 0 && !strings.HasPrefix(runs[0].GetOutput().GetTitle(), "Dry run, nothing changed: would add type: fix") {
				t.Errorf("check run title %q", runs[0].GetOutput().GetTitle())
			}
			preds, _ := f.db.BotPredictions(context.Background(), exOwner+"/"+exRepo)
			if len(preds) != 4 {
				t.Errorf("%d predictions stored, want 4 (1 pull request, 3 commits)", len(preds))
			}
			st, _, _ := f.db.PullState(context.Background(), exOwner+"/"+exRepo, exPull)
			if len(st.Labels) != 0 {
				t.Errorf("dry run claimed labels: %+v", st.Labels)
			}
		})
	}
}

func TestPullRequestConfigurationSkips(t *testing.T) {
	for _, tt := range []struct {
		name, file string
		draft      bool
		wantLabels bool
	}{
		{"disabled", "enabled: false\n", false, false},
		{"author ignored", "ignore_authors: ['codertocat']\n", false, false},
		{"draft labeled by default", "", true, true},
		{"drafts off", "label_drafts: false\n", true, false},
		{"check runs off", "check_runs: false\n", false, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newBotFixture(t)
			f.repos.Update(exOwner, exRepo, func(r *fakegithub.Repo) { r.Files[repoconfig.Path] = tt.file })
			f.mustDeliver("pull_request", f.pullExample("opened", "fix: crash", human, func(m map[string]any) {
				m["pull_request"].(map[string]any)["draft"] = tt.draft
			}))
			if got := len(f.labels()) > 0; got != tt.wantLabels {
				t.Errorf("labeled = %v, want %v", got, tt.wantLabels)
			}
			wantRuns := 0
			if tt.wantLabels && tt.file == "" {
				wantRuns = 1
			}
			if n := len(f.checkRuns(checkrun.PullName)); n != wantRuns {
				t.Errorf("%d check runs, want %d", n, wantRuns)
			}
		})
	}
}

func TestPullRequestClosedSinceTheEventIsSkipped(t *testing.T) {
	f := newBotFixture(t)
	payload := f.pullExample("synchronize", "fix: crash", human, nil)
	f.repos.Update(exOwner, exRepo, func(r *fakegithub.Repo) { r.Pulls[exPull].PullRequest.State = new("closed") })
	f.mustDeliver("pull_request", payload)
	if len(f.labels()) != 0 || len(f.writes()) != 0 {
		t.Fatalf("a closed pull request was labeled: %v", f.writes())
	}
}

func TestPullRequestWithoutInstallationAsksGitHubForIt(t *testing.T) {
	f := newBotFixture(t)
	payload := f.pullExample("opened", "fix: close the file", human, func(m map[string]any) { delete(m, "installation") })
	f.mustDeliver("pull_request", payload)
	f.mustDeliver("pull_request", payload)
	if got := f.labels(); !slices.Equal(got, []string{"type: fix"}) {
		t.Fatalf("labels = %v, want the title's", got)
	}
	lookups := 0
	for _, c := range f.fake.Requests() {
		if c.Method == "GET" && c.Path == "/repos/"+exOwner+"/"+exRepo+"/installation" {
			lookups++
		}
	}
	if lookups != 1 {
		t.Errorf("%d installation lookups for two deliveries, want 1 (remembered)", lookups)
	}

	other := f.pullExample("opened", "fix: close the file", human, func(m map[string]any) {
		delete(m, "installation")
		m["repository"].(map[string]any)["owner"].(map[string]any)["login"] = "stranger"
	})
	err := f.deliver("pull_request", other)
	if !delivery.IsPermanent(err) || !strings.Contains(err.Error(), "not installed on stranger/") {
		t.Errorf("a repository the App is not installed on: %v, want a permanent error naming it", err)
	}
}

func TestRepositoryLabelLookedUpOnce(t *testing.T) {
	f := newBotFixture(t)
	payload := f.pullExample("opened", "fix: close the file", human, nil)
	f.mustDeliver("pull_request", payload)
	f.setLabels() // gone without an event: the bot adds it again
	if err := f.deliverRun("pull_request", payload, delivery.Run{ID: "again", Attempt: 1}); err != nil {
		t.Fatal(err)
	}
	if got := f.labels(); !slices.Equal(got, []string{"type: fix"}) {
		t.Fatalf("labels = %v", got)
	}
	lookups, adds := 0, 0
	for _, r := range f.fake.Requests() {
		switch {
		case r.Method == "GET" && strings.Contains(r.Path, "/labels/"):
			lookups++
		case r.Method == "POST" && strings.HasSuffix(r.Path, "/issues/2/labels"):
			adds++
		}
	}
	if lookups != 1 || adds != 2 {
		t.Errorf("%d label lookups and %d additions, want 1 lookup for 2 additions", lookups, adds)
	}
}

// TestPullRequestExplanationOfGitHubsExample is what a new user sees: the
// shipped model's check run on GitHub's own example pull request (its
// title, one README.md line changed) says its reasons in words and keeps
// the raw feature names folded. Retraining the shipped model may change
// the reasons; the phrases then change with them.
func TestPullRequestExplanationOfGitHubsExample(t *testing.T) {
	if err := classify.InitRuntime(); errors.Is(err, classify.ErrRuntimeMissing) {
		t.Skipf("ONNX Runtime absent, run scripts/setup.sh to install it: %v", err)
	}
	dir, err := models.DefaultDir()
	if err != nil {
		t.Fatal(err)
	}
	clf, err := classify.LoadClassifier(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { clf.Close() })
	f := newBotFixture(t, func(c *HandlersConfig) { c.Classifier = clf })
	f.repos.Update(exOwner, exRepo, func(r *fakegithub.Repo) {
		r.Pulls[exPull].Files = r.Pulls[exPull].Files[:1] // README.md, as in the example's changed_files
	})
	f.mustDeliver("pull_request", f.pullExample("opened", "Update the README with new information.", human, nil))

	text := f.checkRuns(checkrun.PullName)[0].GetOutput().GetText()
	_, explanation, ok := strings.Cut(text, "**What points to docs**\n\n")
	if !ok {
		t.Fatalf("no explanation of docs:\n%s", text)
	}
	reasons, details, _ := strings.Cut(explanation, "\n<details>")
	// What a maintainer reads of this pull request whatever the weights of
	// the shipped model: its one file is documentation, said in words.
	if !strings.HasPrefix(reasons, "- all 1 changed file is documentation: README.md\n") {
		t.Errorf("reasons read\n%s\nwant first: all 1 changed file is documentation: README.md\ncheck run text:\n%s", reasons, text)
	}
	if strings.Contains(reasons, "`") {
		t.Errorf("a raw feature name among the reasons:\n%s", reasons)
	}
	if !strings.Contains(details, "`cs:docs:all`") {
		t.Errorf("the folded model features lack `cs:docs:all`:\n%s", details)
	}
	if !strings.HasPrefix(details, "<summary>Model features</summary>") || !strings.HasSuffix(details, "</details>\n") {
		t.Errorf("model features not in one collapsed block:\n%s", details)
	}
	if !regexp.MustCompile(`\n\| docs \| █+[▏▎▍▌▋▊▉]? \| \d+% \|\n`).MatchString(text) {
		t.Errorf("no bar for docs:\n%s", text)
	}
}
