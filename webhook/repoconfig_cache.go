package webhook

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/google/go-github/v93/github"

	commitlabeler "github.com/commit-labeler/commit-labeler"
	"github.com/commit-labeler/commit-labeler/repoconfig"
	"github.com/commit-labeler/commit-labeler/store"
)

// repoConfigs reads repositories' configuration files through the store's
// cache.
type repoConfigs struct {
	db *store.DB
	// ttl is how long a cached file is trusted.
	ttl   time.Duration
	vocab *commitlabeler.Vocabulary
}

// load returns the repository's configuration: the file on the
// default branch, cached in the store for the TTL, its precision resolved
// against the model serving the repository. An invalid file gives the
// defaults and the problem; err is for failures worth a retry.
func (c *repoConfigs) load(ctx context.Context, gh *github.Client, r repoRef, model Classifier) (cfg repoconfig.Config, problem, err error) {
	f, ok, err := c.db.RepoConfigFile(ctx, r.String())
	if err != nil {
		return cfg, nil, err
	}
	if !ok || time.Since(f.FetchedAt) > c.ttl {
		if f, err = fetchConfigFile(ctx, gh, r); err != nil {
			return cfg, nil, err
		}
		if err := c.db.PutRepoConfigFile(ctx, f); err != nil {
			return cfg, nil, err
		}
	}
	if !f.Found {
		return repoconfig.Default(c.vocab), nil, nil
	}
	cfg, problem = repoconfig.Parse([]byte(f.Content), c.vocab)
	return cfg.WithModel(model), problem, nil
}

// fetchConfigFile reads the configuration file of the default branch.
func fetchConfigFile(ctx context.Context, gh *github.Client, r repoRef) (store.RepoConfigFile, error) {
	f := store.RepoConfigFile{Repo: r.String()}
	var opts *github.RepositoryContentGetOptions
	if r.defaultBranch != "" {
		opts = &github.RepositoryContentGetOptions{Ref: r.defaultBranch}
	}
	file, _, _, err := gh.Repositories.GetContents(ctx, r.owner, r.name, repoconfig.Path, opts)
	switch {
	case statusOf(err) == http.StatusNotFound:
		return f, nil
	case err != nil:
		return f, fmt.Errorf("read %s of %s: %w", repoconfig.Path, r, err)
	case file == nil:
		return f, nil // a directory, not a configuration file
	}
	content, err := file.GetContent()
	if err != nil {
		return f, fmt.Errorf("read %s of %s: %w", repoconfig.Path, r, err)
	}
	f.Found, f.BlobSHA, f.Content = true, file.GetSHA(), content
	return f, nil
}
