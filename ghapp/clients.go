package ghapp

import (
	"context"
	"crypto/rsa"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/bradleyfalzon/ghinstallation/v2"
	"github.com/google/go-github/v93/github"
)

// Clients makes go-github clients authenticated as the App (a JWT signed with
// its key) or as one of its installations (an installation token, created on
// first use and renewed before it expires). It is safe for concurrent use.
type Clients struct {
	appID     int64
	key       *rsa.PrivateKey
	transport http.RoundTripper
	baseURL   string // API root with its trailing slash, for go-github
	app       *github.Client

	mu            sync.Mutex
	installations map[int64]*ghinstallation.Transport
}

// New checks cfg and returns its Clients. It makes no request.
func New(cfg Config) (*Clients, error) {
	if cfg.AppID <= 0 {
		return nil, fmt.Errorf("ghapp: app id %d is not a positive integer", cfg.AppID)
	}
	key, err := parsePrivateKey(cfg.PrivateKey)
	if err != nil {
		return nil, fmt.Errorf("ghapp: app %d: private key: %w", cfg.AppID, err)
	}
	u, err := apiURL(cfg.APIURL)
	if err != nil {
		return nil, fmt.Errorf("ghapp: app %d: %w", cfg.AppID, err)
	}
	c := &Clients{
		appID:         cfg.AppID,
		key:           key,
		transport:     cfg.Transport,
		baseURL:       u.String(),
		installations: map[int64]*ghinstallation.Transport{},
	}
	if c.app, err = c.client(c.appsTransport()); err != nil {
		return nil, err
	}
	return c, nil
}

// AppID returns the App's id.
func (c *Clients) AppID() int64 { return c.appID }

// App returns a client authenticated as the App itself, for the /app
// endpoints (installations, installation tokens).
func (c *Clients) App() *github.Client { return c.app }

// Installation returns a client authenticated as the installation. Clients
// of one installation share its cached token.
func (c *Clients) Installation(installationID int64) (*github.Client, error) {
	return c.client(c.installationTransport(installationID))
}

// InstallationToken returns a valid token of the installation, creating or
// renewing it when needed. The token is a secret: never log or store it.
func (c *Clients) InstallationToken(ctx context.Context, installationID int64) (string, error) {
	tok, err := c.installationTransport(installationID).Token(ctx)
	if err != nil {
		return "", fmt.Errorf("ghapp: installation %d: token: %w", installationID, err)
	}
	return tok, nil
}

// appsTransport signs requests with a fresh JWT of the App. Each caller gets
// its own: ghinstallation's installation transport writes to the fields of
// the AppsTransport it wraps when it refreshes its token.
func (c *Clients) appsTransport() *ghinstallation.AppsTransport {
	base := c.transport
	if base == nil {
		base = http.DefaultTransport
	}
	t := ghinstallation.NewAppsTransportFromPrivateKey(base, c.appID, c.key)
	t.BaseURL = strings.TrimSuffix(c.baseURL, "/")
	return t
}

func (c *Clients) installationTransport(installationID int64) *ghinstallation.Transport {
	c.mu.Lock()
	defer c.mu.Unlock()
	t, ok := c.installations[installationID]
	if !ok {
		t = ghinstallation.NewFromAppsTransport(c.appsTransport(), installationID)
		c.installations[installationID] = t
	}
	return t
}

func (c *Clients) client(rt http.RoundTripper) (*github.Client, error) {
	gh, err := github.NewClient(github.WithTransport(rt), github.WithURLs(&c.baseURL, nil))
	if err != nil {
		return nil, fmt.Errorf("ghapp: API %s: %w", c.baseURL, err)
	}
	return gh, nil
}
