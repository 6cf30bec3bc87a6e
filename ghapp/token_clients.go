package ghapp

import (
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"

	"github.com/google/go-github/v93/github"
)

// TokenClients reach GitHub with one token for every repository, as a
// GitHub Actions job does with its GITHUB_TOKEN: no App key, no
// installation tokens. It is the InstallationClients of `bot action`.
type TokenClients struct {
	client    *github.Client
	transport *tokenTransport
}

// tokenInstallation is the installation every repository is reached
// through with a token: a token names no installation, and the handlers
// need a nonzero one to tell it from a payload without any.
const tokenInstallation = 1

// NewTokenClients makes clients of the API at apiURL (GITHUB_API_URL)
// that send token on every request.
func NewTokenClients(apiURL, token string) (*TokenClients, error) {
	if token == "" {
		return nil, fmt.Errorf("ghapp: token clients: the token is empty")
	}
	if !strings.HasSuffix(apiURL, "/") {
		apiURL += "/"
	}
	t := &tokenTransport{token: token, next: http.DefaultTransport}
	c, err := github.NewClient(github.WithTransport(t), github.WithURLs(&apiURL, &apiURL))
	if err != nil {
		return nil, fmt.Errorf("ghapp: token clients for %s: %w", apiURL, err)
	}
	return &TokenClients{client: c, transport: t}, nil
}

// Wrote reports whether GitHub accepted a write made with the token (a 2xx
// answer to a request other than GET or HEAD): after a refused write, it
// tells a run that changed nothing from one that changed some.
func (c *TokenClients) Wrote() bool { return c.transport.wrote.Load() }

// Installation returns the token's client, whichever the installation.
func (c *TokenClients) Installation(int64) (*github.Client, error) { return c.client, nil }

// App returns the token's client.
func (c *TokenClients) App() *github.Client { return c.client }

// repositoryInstallation reaches every repository without asking GitHub:
// a token is not an App and cannot ask which installation reaches one.
func (c *TokenClients) repositoryInstallation() int64 { return tokenInstallation }

// tokenTransport authenticates each request with the token, as GitHub
// documents for GITHUB_TOKEN ("Authorization: Bearer"), and notes whether
// GitHub accepted a write.
type tokenTransport struct {
	token string
	next  http.RoundTripper
	wrote atomic.Bool
}

func (t *tokenTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.Header.Set("Authorization", "Bearer "+t.token)
	resp, err := t.next.RoundTrip(req)
	if err == nil && req.Method != http.MethodGet && req.Method != http.MethodHead && resp.StatusCode/100 == 2 {
		t.wrote.Store(true)
	}
	return resp, err
}
