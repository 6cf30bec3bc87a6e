package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"

	"github.com/commit-labeler/commit-labeler/pipeline"
)

// corpusRepoLine is a line of a repository list: owner/name, then the
// pinned commit's full id, then columns the command does not read (the
// commit's date, the licence).
var corpusRepoLine = regexp.MustCompile(`^([A-Za-z0-9._-]+/[A-Za-z0-9._-]+)\t([0-9a-f]{40}|[0-9a-f]{64})(\t.*)?$`)

// readCorpusRepos reads a repository list (corpus/repos.tsv: tab-separated,
// # starts a comment line) and returns a --repo argument for each
// repository: gitURL/owner/name.git pinned to its commit.
func readCorpusRepos(r io.Reader, name, gitURL string) ([]string, error) {
	var repos []string
	sc := bufio.NewScanner(r)
	for no := 1; sc.Scan(); no++ {
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		m := corpusRepoLine.FindStringSubmatch(line)
		if m == nil {
			return nil, fmt.Errorf("%s:%d: want owner/name, a TAB and a full commit id, got %q", name, no, line)
		}
		repos = append(repos, strings.TrimRight(gitURL, "/")+"/"+m[1]+".git#"+m[2])
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(repos) == 0 {
		return nil, fmt.Errorf("%s lists no repository", name)
	}
	return repos, nil
}

// corpusCommand rebuilds a corpus from its repository list through the
// pipeline's own phases: clone each repository at its pinned commit,
// extract, label by Conventional Commits headers, then export the labeled
// commits in the corpus schema (docs/corpus.md) to --out.
func corpusCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, common := newCommonFlagSet("corpus", stderr)
	list := fs.String("repos", "corpus/repos.tsv", "repository list: owner/name TAB pinned commit (further columns ignored)")
	gitURL := fs.String("git-url", "https://github.com", "where the repositories are cloned from, as GIT-URL/owner/name.git")
	workdir := fs.String("workdir", "clones", "directory of the bare clones")
	out := fs.String("out", "corpus.jsonl.gz", "corpus file to write: JSON Lines, gzip-compressed when named .gz")
	positional, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(positional) > 0 {
		return usageErrorf("unexpected argument %q (the repositories go in --repos)", positional[0])
	}
	f, err := os.Open(*list)
	if err != nil {
		return fmt.Errorf("--repos: %w", err)
	}
	repos, err := readCorpusRepos(f, *list, *gitURL)
	f.Close()
	if err != nil {
		return err
	}
	opts := pipeline.DefaultOptions()
	opts.Workdir, opts.Repos, opts.Labeler = *workdir, repos, "conventional"
	env, err := openEnv(ctx, common, opts, stderr)
	if err != nil {
		return err
	}
	defer env.DB.Close()
	results, runErr := pipeline.RunPhases(ctx, env, []string{pipeline.PhaseClone, pipeline.PhaseExtract, pipeline.PhaseLabel})
	if runErr == nil {
		var res pipeline.Result
		res, runErr = pipeline.RunPhase(ctx, env, "export", func(ctx context.Context, env *pipeline.Env) (pipeline.Counts, error) {
			return pipeline.ExportFile(ctx, env, *out)
		})
		results = append(results, res)
	}
	return reportRuns(stdout, common.json, results, runErr)
}
