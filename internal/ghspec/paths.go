// Package ghspec finds what GitHub publishes about itself, the oracles the
// tests hold the fake GitHub and every webhook payload to: the npm packages
// scripts/fetch-github-descriptions.sh pins and caches outside the clone.
package ghspec

import (
	"os"
	"path/filepath"
	"testing"
)

// The cached files, each under the package's NAME-VERSION directory; the
// versions are the script's pins.
const (
	// WebhookExamples is @octokit/webhooks-examples: payload examples by event.
	WebhookExamples = "webhooks-examples-7.6.1/api.github.com/index.json"
	// WebhookSchema is @octokit/webhooks-schemas: one JSON schema for every payload.
	WebhookSchema = "webhooks-schemas-7.6.1/schema.json"
	// WebhookDescriptions is @octokit/openapi-webhooks: each webhook's
	// description, with who receives it and the permission it needs.
	WebhookDescriptions = "openapi-webhooks-12.1.0/generated/api.github.com.json"
	// RESTDotCom is @octokit/openapi: the REST API of api.github.com.
	RESTDotCom = "openapi-23.0.2/generated/api.github.com.json"
	// RESTEnterprise is @octokit/openapi: the REST API of the newest GHES.
	RESTEnterprise = "openapi-23.0.2/generated/ghes-3.19.json"
)

// Cache is the directory the script caches into: $COMMIT_LABELER_CACHE,
// else $XDG_CACHE_HOME/commit-labeler, else ~/.cache/commit-labeler.
func Cache() string {
	if c := os.Getenv("COMMIT_LABELER_CACHE"); c != "" {
		return c
	}
	if x := os.Getenv("XDG_CACHE_HOME"); x != "" {
		return filepath.Join(x, "commit-labeler")
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".cache", "commit-labeler")
}

// Path is the cached path of one of the files above.
func Path(file string) string { return filepath.Join(Cache(), file) }

// Require returns the path of file, skipping the test with a message naming
// the script when it was not fetched.
func Require(t testing.TB, file string) string {
	t.Helper()
	p := Path(file)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("%v: run scripts/fetch-github-descriptions.sh", err)
	}
	return p
}
