package webhook

import (
	"fmt"
	"sync"

	"github.com/google/go-github/v93/github"
)

// InstallationClients makes go-github clients authenticated as an
// installation; *ghapp.Clients is one.
type InstallationClients interface {
	Installation(installationID int64) (*github.Client, error)
}

// clientPool keeps one client per installation, each behind its own
// Transport, so that the rate limits GitHub reports for an installation hold
// back every request of that installation.
type clientPool struct {
	src  InstallationClients
	opts []TransportOption

	mu      sync.Mutex
	clients map[int64]*github.Client
}

func newClientPool(src InstallationClients, opts ...TransportOption) *clientPool {
	return &clientPool{src: src, opts: opts, clients: map[int64]*github.Client{}}
}

// installation returns the installation's client.
func (p *clientPool) installation(id int64) (*github.Client, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if c, ok := p.clients[id]; ok {
		return c, nil
	}
	base, err := p.src.Installation(id)
	if err != nil {
		return nil, fmt.Errorf("installation %d: %w", id, err)
	}
	baseURL, uploadURL := base.BaseURL(), base.UploadURL()
	// go-github's own rate limit check would fail a request the Transport
	// would rather delay, so it is off.
	c, err := github.NewClient(
		github.WithTransport(NewTransport(base.Client().Transport, p.opts...)),
		github.WithURLs(&baseURL, &uploadURL),
		github.WithDisableRateLimitCheck(),
	)
	if err != nil {
		return nil, fmt.Errorf("installation %d: client for %s: %w", id, baseURL, err)
	}
	p.clients[id] = c
	return c, nil
}
