package webhook

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/google/go-github/v93/github"
)

// TokenClients reach GitHub with one token for every repository, as a
// GitHub Actions job does with its GITHUB_TOKEN: no App key, no
// installation tokens. It is the InstallationClients of `bot action`.
type TokenClients struct {
	client *github.Client
}

// tokenInstallation is the installation every repository is reached
// through with a token: a token names no installation, and the handlers
// need a nonzero one to tell it from a payload without any.
const tokenInstallation = 1

// NewTokenClients makes clients of the API at apiURL (GITHUB_API_URL)
// that send token on every request.
func NewTokenClients(apiURL, token string) (*TokenClients, error) {
	if token == "" {
		return nil, fmt.Errorf("webhook: token clients: the token is empty")
	}
	if !strings.HasSuffix(apiURL, "/") {
		apiURL += "/"
	}
	c, err := github.NewClient(github.WithTransport(&tokenTransport{token: token, next: http.DefaultTransport}),
		github.WithURLs(&apiURL, &apiURL))
	if err != nil {
		return nil, fmt.Errorf("webhook: token clients for %s: %w", apiURL, err)
	}
	return &TokenClients{client: c}, nil
}

// Installation returns the token's client, whichever the installation.
func (c *TokenClients) Installation(int64) (*github.Client, error) { return c.client, nil }

// App returns the token's client.
func (c *TokenClients) App() *github.Client { return c.client }

// repositoryInstallation reaches every repository without asking GitHub:
// a token is not an App and cannot ask which installation reaches one.
func (c *TokenClients) repositoryInstallation() int64 { return tokenInstallation }

// tokenTransport authenticates each request with the token, as GitHub
// documents for GITHUB_TOKEN ("Authorization: Bearer").
type tokenTransport struct {
	token string
	next  http.RoundTripper
}

func (t *tokenTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.Header.Set("Authorization", "Bearer "+t.token)
	return t.next.RoundTrip(req)
}
