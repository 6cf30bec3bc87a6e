package main

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/commit-labeler/commit-labeler/internal/gittest"
)

// TestCorpusCommandRebuildsFromTheRepositoryList builds a repository list
// of two repositories served over git's smart HTTP, each pinned before its
// newest commits, and rebuilds the corpus as `make corpus` does: the corpus
// holds the labeled commits up to each pin, and train import reads it.
func TestCorpusCommandRebuildsFromTheRepositoryList(t *testing.T) {
	root := t.TempDir()
	app := gittest.ConventionalHistory(t, 12, "docs", nil)
	lib := gittest.New(t)
	for i, msg := range []string{"feat: parse the header", "Update the readme", "fix: an empty header", "feat: after the pin"} {
		lib.Write("lib.go", fmt.Appendf(nil, "package lib // %d\n", i))
		lib.Commit(msg) // "Update the readme" has no header: it is not labeled
	}
	pins := map[string]string{
		"acme/app": gittest.Git(t, app.Dir, "rev-parse", "HEAD~2"),
		"acme/lib": gittest.Git(t, lib.Dir, "rev-parse", "HEAD~1"),
	}
	var list strings.Builder
	list.WriteString("# repository\tcommit\tdate\tlicence\n")
	for name, repo := range map[string]*gittest.Repo{"acme/app": app, "acme/lib": lib} {
		gittest.Git(t, root, "clone", "--quiet", "--bare", repo.Dir, filepath.Join(root, name+".git"))
		fmt.Fprintf(&list, "%s\t%s\t2024-01-01T00:00:00+00:00\tMIT\n", name, pins[name])
	}
	srv := gittest.ServeHTTP(t, root, nil)
	dir := t.TempDir()
	reposFile := filepath.Join(dir, "repos.tsv")
	if err := os.WriteFile(reposFile, []byte(list.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "corpus.jsonl.gz")

	code, stdout, stderr := train(t, "corpus", "--repos", reposFile, "--git-url", srv.URL,
		"--db", filepath.Join(dir, "corpus.db"), "--workdir", filepath.Join(dir, "clones"), "--out", out)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, phase := range []string{"clone", "extract", "label", "export"} {
		if !strings.Contains(stdout, phase) {
			t.Errorf("no %s line in\n%s", phase, stdout)
		}
	}
	perRepo := map[string]int{}
	for _, r := range readCorpusFile(t, out) {
		perRepo[r.Repo]++
		if r.Subject == "feat: after the pin" || len(r.Labels) == 0 {
			t.Errorf("record %+v: after the pin or without labels", r)
		}
	}
	if want := map[string]int{"acme/app": 10, "acme/lib": 2}; fmt.Sprint(perRepo) != fmt.Sprint(want) {
		t.Errorf("records per repository = %v, want %v", perRepo, want)
	}
	if code, stdout, stderr := train(t, "import", "--db", filepath.Join(dir, "imported.db"), out); code != 0 || !strings.Contains(stdout, "imported=12") {
		t.Errorf("train import of the rebuilt corpus: exit %d\n%s\n%s", code, stdout, stderr)
	}
}

// corpusLine is what the test reads of a corpus record.
type corpusLine struct {
	Repo    string   `json:"repo"`
	Subject string   `json:"subject"`
	Labels  []string `json:"labels"`
}

func readCorpusFile(t *testing.T, path string) []corpusLine {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var out []corpusLine
	for dec := json.NewDecoder(zr); dec.More(); {
		var r corpusLine
		if err := dec.Decode(&r); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

func TestReadCorpusReposRefusesMalformedLines(t *testing.T) {
	const sha = "0123456789abcdef0123456789abcdef01234567"
	tests := []struct{ name, list, want string }{
		{"no commit", "acme/app\n", "repos.tsv:1:"},
		{"short commit", "# header\nacme/app\t0123abc\tMIT\n", "repos.tsv:2:"},
		{"no owner", "app\t" + sha + "\n", "repos.tsv:1:"},
		{"nothing listed", "# only a comment\n\n", "lists no repository"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := readCorpusRepos(strings.NewReader(tt.list), "repos.tsv", "https://github.com")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
	got, err := readCorpusRepos(strings.NewReader("acme/app\t"+sha+"\t2026-08-22\tMIT\n"), "repos.tsv", "https://github.com/")
	if want := "https://github.com/acme/app.git#" + sha; err != nil || len(got) != 1 || got[0] != want {
		t.Errorf("readCorpusRepos = %q, %v; want [%s]", got, err, want)
	}
}

// TestTheCorpusListReads holds corpus/repos.tsv to the form train corpus
// reads, each repository once.
func TestTheCorpusListReads(t *testing.T) {
	f, err := os.Open(filepath.Join("..", "..", "corpus", "repos.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	repos, err := readCorpusRepos(f, "corpus/repos.tsv", "https://github.com")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, r := range repos {
		name, _, _ := strings.Cut(r, "#")
		if seen[name] {
			t.Errorf("%s listed twice", name)
		}
		seen[name] = true
	}
}
