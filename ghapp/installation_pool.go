package ghapp

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"

	"github.com/google/go-github/v93/github"
)

// InstallationClients makes go-github clients authenticated as an
// installation, or as the App itself; *Clients is one.
type InstallationClients interface {
	Installation(installationID int64) (*github.Client, error)
	App() *github.Client
}

// ErrNotInstalled is the error of InstallationPool.RepositoryInstallation
// for a repository the App is not installed on: asking again cannot help.
var ErrNotInstalled = errors.New("the App is not installed")

// InstallationPool keeps one client per installation, each behind its own
// Transport, so that the rate limits GitHub reports for an installation hold
// back every request of that installation. It is safe for concurrent use.
type InstallationPool struct {
	src  InstallationClients
	opts []TransportOption

	mu      sync.Mutex
	clients map[int64]*github.Client
	// installations are the installations found for repositories whose
	// deliveries named none, by full name.
	installations map[string]int64
}

// NewInstallationPool makes the clients of src's installations, each
// behind a Transport with opts.
func NewInstallationPool(src InstallationClients, opts ...TransportOption) *InstallationPool {
	return &InstallationPool{src: src, opts: opts, clients: map[int64]*github.Client{}, installations: map[string]int64{}}
}

// RepositoryInstallation asks GitHub, as the App, which installation reaches
// owner/name (GET /repos/{owner}/{repo}/installation), remembering the answer.
// A repository the App is not installed on is ErrNotInstalled.
func (p *InstallationPool) RepositoryInstallation(ctx context.Context, owner, name string) (int64, error) {
	if t, ok := p.src.(*TokenClients); ok {
		return t.repositoryInstallation(), nil
	}
	full := owner + "/" + name
	p.mu.Lock()
	id, ok := p.installations[full]
	p.mu.Unlock()
	if ok {
		return id, nil
	}
	inst, _, err := p.src.App().Apps.GetRepositoryInstallation(ctx, owner, name)
	var gerr *github.ErrorResponse
	if errors.As(err, &gerr) && gerr.Response.StatusCode == http.StatusNotFound {
		return 0, fmt.Errorf("%w on %s: %w", ErrNotInstalled, full, err)
	}
	if err != nil {
		return 0, fmt.Errorf("installation of %s: %w", full, err)
	}
	p.mu.Lock()
	p.installations[full] = inst.GetID()
	p.mu.Unlock()
	return inst.GetID(), nil
}

// Installation returns the installation's client.
func (p *InstallationPool) Installation(id int64) (*github.Client, error) {
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
