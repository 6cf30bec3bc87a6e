package webhook

import (
	"context"
	"log/slog"

	"github.com/google/go-github/v93/github"

	"github.com/commit-labeler/commit-labeler/repoconfig"
)

// repoLabeling is what labeling a repository's commits takes: the model
// serving it, its configuration file and the check runs that explain
// the labels.
type repoLabeling struct {
	models    *modelServer
	configs   *repoConfigs
	checkRuns *checkRunWriter
}

// repoSetting is the model serving a repository and its configuration,
// for one delivery.
type repoSetting struct {
	served *ServedModel
	// release lets go of served, once the delivery is done with it.
	release func()
	cfg     repoconfig.Config
	// problem is why the configuration file is invalid (cfg holds the
	// defaults then); nil when it is valid.
	problem error
}

// open returns the model serving r and r's configuration, first reporting
// an invalid configuration file in a check run on sha. A nil setting with
// a nil error is a repository whose configuration turns the bot off
// (logged). The pull_request and push handlers both start here.
func (l *repoLabeling) open(ctx context.Context, gh *github.Client, r repoRef, sha string, log *slog.Logger) (*repoSetting, error) {
	served, release := l.models.serving(ctx, r.String())
	cfg, problem, err := l.configs.load(ctx, gh, r, served.Classifier)
	if err == nil && problem != nil {
		err = l.checkRuns.reportConfigProblem(ctx, gh, r, sha, cfg, problem, log)
	}
	if err != nil {
		release()
		return nil, err
	}
	if !cfg.Enabled {
		release()
		log.InfoContext(ctx, "bot disabled by the repository configuration")
		return nil, nil
	}
	return &repoSetting{served: served, release: release, cfg: cfg, problem: problem}, nil
}
