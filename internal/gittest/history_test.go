package gittest

import (
	"strconv"
	"strings"
	"testing"
)

func TestHistory(t *testing.T) {
	f := History(t)
	count := func(args ...string) int {
		t.Helper()
		n, err := strconv.Atoi(f.Git(append([]string{"rev-list", "--count"}, args...)...))
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if got := count("--no-merges", "HEAD"); got != HistoryCommits {
		t.Errorf("non-merge commits = %d, want %d", got, HistoryCommits)
	}
	if got := count("--merges", "HEAD"); got != HistoryMerges {
		t.Errorf("merges = %d, want %d", got, HistoryMerges)
	}
	if got := count("--no-merges", "--author=dependabot", "HEAD"); got != HistoryBotCommits {
		t.Errorf("bot commits = %d, want %d", got, HistoryBotCommits)
	}
	dates := strings.Fields(f.Git("log", "--format=%ad", "--date=format:%Y", "HEAD"))
	first, last := dates[len(dates)-1], dates[0]
	if first != strconv.Itoa(HistoryFirstYear) || last != strconv.Itoa(HistoryLastYear) {
		t.Errorf("years %s..%s, want %d..%d", first, last, HistoryFirstYear, HistoryLastYear)
	}
	for _, tc := range []struct{ name, want string }{
		{CommitRenamePure, "R100\tsrc/util.go\tsrc/helpers.go"},
		{CommitDelete, "D\tdocs/obsolete.md"},
		{CommitTypeChange, "T\tdocs/latest.md"},
		{CommitModeChange, "M\tscripts/build.sh"},
		{CommitNonASCII, "A\tdocs/über.md"},
		{CommitEmpty, ""},
	} {
		got := f.Git("-c", "core.quotepath=false", "show", "--format=", "-M", "--name-status", f.SHA(tc.name))
		if got != tc.want {
			t.Errorf("%s: name-status %q, want %q", tc.name, got, tc.want)
		}
	}
	if got := f.Git("show", "--format=", "-M", "--name-status", f.SHA(CommitRenameEdit)); !strings.HasPrefix(got, "R0") && !strings.HasPrefix(got, "R9") {
		t.Errorf("rename-edit: name-status %q, want a rename with changes", got)
	}
	if got := f.Git("show", "--format=%s", "--no-patch", f.SHA(CommitRevert)); got != `Revert "feat: add experimental cache"` {
		t.Errorf("revert subject %q", got)
	}
	if got := len(strings.Split(f.Git("show", "--format=", "--name-only", f.SHA(CommitManyFiles)), "\n")); got != HistoryManyFiles {
		t.Errorf("many-files touches %d files, want %d", got, HistoryManyFiles)
	}
	if got := f.Git("show", "--format=", "--numstat", f.SHA(CommitBinaryChange)); got != "-\t-\tassets/logo.png" {
		t.Errorf("binary change numstat %q", got)
	}
}

func TestHistoryDeterministic(t *testing.T) {
	a, b := History(t), History(t)
	if a.Head() != b.Head() {
		t.Errorf("two builds differ: %s vs %s", a.Head(), b.Head())
	}
}

func TestRepoCommit(t *testing.T) {
	r := New(t)
	r.Write("a.txt", []byte("a\n"))
	first := r.Commit("feat: a\n")
	r.Write("a.txt", []byte("b\n"))
	r.Commit("fix: b\n", ByBot())
	r.Commit("chore: nothing\n", Empty())
	if got := r.Git("log", "--format=%an %aI", first); got != AuthorName+" 2021-01-04T09:30:00Z" && got != AuthorName+" 2021-01-04T09:30:00+00:00" {
		t.Errorf("first commit %q", got)
	}
	if got := r.Git("log", "-1", "--format=%an", "HEAD~1"); got != BotName {
		t.Errorf("bot commit author %q", got)
	}
}
