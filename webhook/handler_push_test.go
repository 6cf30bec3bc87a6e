package webhook

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-github/v93/github"

	"github.com/commit-labeler/commit-labeler/checkrun"
	"github.com/commit-labeler/commit-labeler/internal/fakegithub"
	"github.com/commit-labeler/commit-labeler/repoconfig"
)

// pushExample is the examples' branch push with n commits: conventional
// ones and, every third, one the model decides (readable via the commits API).
func pushExample(t *testing.T, n int, edit func(map[string]any)) []byte {
	return example(t, "push", "", func(m map[string]any) bool {
		return strings.HasPrefix(m["ref"].(string), "refs/heads/") && len(m["commits"].([]any)) > 0
	}, func(m map[string]any) {
		tmpl := m["commits"].([]any)[0].(map[string]any)
		commits := []any{} // an empty push lists [], never null
		for i := range n {
			c := map[string]any{}
			for k, v := range tmpl {
				c[k] = v
			}
			c["id"] = pushSHA(i + 1)
			c["message"] = []string{"fix(parser): handle | in names", "docs: explain setup", "Speed up startup"}[i%3] + "\n\nBody."
			commits = append(commits, c)
		}
		m["commits"] = commits
		m["after"] = pushSHA(n)
		if edit != nil {
			edit(m)
		}
	})
}

// pushSHA is the SHA of the i-th pushed commit of pushExample: forty times
// the digit i.
func pushSHA(i int) string { return strings.Repeat(fmt.Sprint(i%10), 40) }

func TestPushClassifiesEveryCommitInOneCheckRun(t *testing.T) {
	f := newBotFixture(t)
	f.repos.Update(exOwner, exRepo, func(r *fakegithub.Repo) {
		r.Commits[pushSHA(3)] = &github.RepositoryCommit{Files: []*github.CommitFile{
			{Filename: new("main.go"), Status: new("modified"), Additions: new(1), Changes: new(1), Patch: new("@@ -1 +1,2 @@\n x\n+y")},
		}}
	})
	f.model.set("speed", "perf", 0.77)
	f.mustDeliver("push", pushExample(t, 3, nil))

	runs := f.checkRuns(checkrun.PushName)
	if len(runs) != 1 {
		t.Fatalf("%d push check runs, want 1", len(runs))
	}
	if runs[0].GetHeadSHA() != pushSHA(3) {
		t.Errorf("check run on %s, want the head", runs[0].GetHeadSHA())
	}
	text := runs[0].GetOutput().GetText()
	rows := strings.Count(text, "\n| ")
	for _, want := range []string{
		"| 1111111 | fix(parser): handle \\| in names | fix | 100% | title rule |",
		"| 2222222 | docs: explain setup | docs | 100% | title rule |",
		"| 3333333 | Speed up startup | perf | 77% | model |",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("check run text lacks %q:\n%s", want, text)
		}
	}
	if rows != 3 {
		t.Errorf("%d rows, want 3:\n%s", rows, text)
	}
	if len(f.model.calls) != 1 || !strings.Contains(f.model.calls[0].Diff, "+y") {
		t.Errorf("classifier input = %+v, want the third commit with its API diff", f.model.calls)
	}
	preds, _ := f.db.BotPredictions(context.Background(), exOwner+"/"+exRepo)
	if len(preds) != 3 {
		t.Errorf("%d predictions stored, want 3", len(preds))
	}
}

func TestPushSkipsTagsDeletionsAndEmptyPushes(t *testing.T) {
	f := newBotFixture(t)
	tag := example(t, "push", "", func(m map[string]any) bool { return strings.HasPrefix(m["ref"].(string), "refs/tags/") }, nil)
	deletion := pushExample(t, 1, func(m map[string]any) { m["deleted"] = true })
	empty := pushExample(t, 0, nil)
	for name, payload := range map[string][]byte{"tag": tag, "deletion": deletion, "empty": empty} {
		if err := f.deliver("push", payload); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	if calls := f.repos.Calls(); len(calls) != 0 {
		t.Fatalf("skipped pushes made calls: %+v", calls)
	}
}

// TestPushChangingTheConfigurationDropsTheCache checks that a push to the
// default branch changing the configuration file makes the bot read it again
// at once, instead of after the cache's TTL.
func TestPushChangingTheConfigurationDropsTheCache(t *testing.T) {
	f := newBotFixture(t)
	f.mustDeliver("pull_request", f.pullExample("opened", "fix: crash", human, nil)) // caches "no file"
	f.repos.Update(exOwner, exRepo, func(r *fakegithub.Repo) { r.Files[repoconfig.Path] = "check_runs: false\n" })
	f.mustDeliver("push", pushExample(t, 1, func(m map[string]any) {
		m["commits"].([]any)[0].(map[string]any)["modified"] = []any{repoconfig.Path}
	}))
	if n := len(f.checkRuns(checkrun.PushName)); n != 0 {
		t.Errorf("%d push check runs, want none: the new configuration turns them off", n)
	}
	reads := 0
	for _, c := range f.repos.Calls() {
		if strings.Contains(c.Path, "/contents/") {
			reads++
		}
	}
	if reads != 2 {
		t.Errorf("configuration read %d times, want 2", reads)
	}
}
