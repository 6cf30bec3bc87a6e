package pipeline

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"strings"
	"time"
)

// gitCommand runs git for one repository. A credential reaches git only
// through the environment of the git process (never an argument, a URL or a
// file), and is scrubbed from everything git prints.
type gitCommand struct {
	env     []string
	secrets []string
}

// newGitCommand prepares git for cloning from rawURL, sending token (when not
// empty) as GitHub's installation-token Basic credential to that URL's
// origin only, so that a redirect elsewhere does not carry it.
func newGitCommand(rawURL, token string) gitCommand {
	g := gitCommand{env: append(cleanGitEnv(os.Environ()), "GIT_TERMINAL_PROMPT=0")}
	if token == "" {
		return g
	}
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		// Only http(s) sources carry a token; parseSource vetted those.
		return g
	}
	basic := base64.StdEncoding.EncodeToString([]byte("x-access-token:" + token))
	origin := u.Scheme + "://" + u.Host + "/"
	g.env = append(g.env,
		"GIT_CONFIG_COUNT=1",
		"GIT_CONFIG_KEY_0=http."+origin+".extraHeader",
		"GIT_CONFIG_VALUE_0=Authorization: Basic "+basic,
	)
	g.secrets = []string{token, basic}
	return g
}

// withEnv is g whose git processes also have the variables kv (NAME=value).
func (g gitCommand) withEnv(kv ...string) gitCommand {
	g.env = append(slices.Clip(g.env), kv...)
	return g
}

// cleanGitEnv drops from env what would redirect git to another repository,
// inject configuration, or trace requests with their headers.
func cleanGitEnv(env []string) []string {
	out := env[:0:0]
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		switch {
		case name == "GIT_DIR", name == "GIT_WORK_TREE", name == "GIT_INDEX_FILE",
			name == "GIT_OBJECT_DIRECTORY", name == "GIT_ALTERNATE_OBJECT_DIRECTORIES",
			name == "GIT_CONFIG_PARAMETERS", name == "GIT_CONFIG_COUNT",
			name == "GIT_TERMINAL_PROMPT", name == "GIT_CURL_VERBOSE",
			strings.HasPrefix(name, "GIT_CONFIG_KEY_"), strings.HasPrefix(name, "GIT_CONFIG_VALUE_"),
			strings.HasPrefix(name, "GIT_TRACE"):
			continue
		}
		out = append(out, kv)
	}
	return out
}

// run runs git with args on the repository gitDir ("" for none: clone,
// ls-remote) and returns its standard output. The error quotes git's
// scrubbed standard error; when ctx ended it wraps ctx's error.
func (g gitCommand) run(ctx context.Context, gitDir string, args ...string) (string, error) {
	full := args
	if gitDir != "" {
		// Explicit, so that git never discovers an enclosing repository.
		full = append([]string{"--git-dir=" + gitDir}, args...)
	}
	cmd := exec.CommandContext(ctx, "git", full...)
	cmd.Env = g.env
	killProcessGroupOnCancel(cmd)
	// Do not wait on output pipes a killed git's helpers may still hold.
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		return "", fmt.Errorf("git %s: %w", args[0], ctx.Err())
	}
	if err != nil {
		msg := g.scrub(strings.TrimSpace(stderr.String()))
		return "", fmt.Errorf("git %s: %w: %s", args[0], err, msg)
	}
	return g.scrub(stdout.String()), nil
}

// scrub replaces every secret in s.
func (g gitCommand) scrub(s string) string {
	for _, sec := range g.secrets {
		s = strings.ReplaceAll(s, sec, "[REDACTED]")
	}
	return s
}
