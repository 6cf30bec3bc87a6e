package ghapp

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"

	"github.com/google/go-github/v93/github"
)

// ManifestFlow serves GitHub's "register an App from a manifest" flow: its
// page posts the manifest to GitHub, and GitHub redirects back to its
// callback with a code, exchanged for the App's credentials.
type ManifestFlow struct {
	// Manifest is posted with redirect_url set to this server's callback.
	Manifest *Manifest
	// WebURL is GitHub's web root (WebURL of the API root).
	WebURL string
	// Org, when set, makes the App owned by this organization.
	Org string
	// API is a client of the API root; the exchange needs no credentials.
	API *github.Client
	// Done saves the credentials; its error is shown on the callback page.
	Done func(*github.AppConfig) error

	state string
}

// Paths of the flow's pages.
const (
	setupPathStart    = "/"
	setupPathCallback = "/callback"
)

// Handler returns the flow's pages, GET / and GET /callback.
func (f *ManifestFlow) Handler() (http.Handler, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	f.state = hex.EncodeToString(b)
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+setupPathStart+"{$}", f.serveStart)
	mux.HandleFunc("GET "+setupPathCallback, f.serveCallback)
	return mux, nil
}

var setupPage = template.Must(template.New("setup").Parse(`<!doctype html>
<title>Register {{.Name}}</title>
<h1>Register the GitHub App {{.Name}}</h1>
<p>This posts the App's manifest to {{.Action}}. GitHub then asks you to name it and sends you back here.</p>
<form id="f" method="post" action="{{.Action}}">
<input type="hidden" name="manifest" value="{{.Manifest}}">
<button type="submit">Create the App on GitHub</button>
</form>
`))

func (f *ManifestFlow) serveStart(w http.ResponseWriter, r *http.Request) {
	m := *f.Manifest
	m.RedirectURL = (&url.URL{Scheme: "http", Host: r.Host, Path: setupPathCallback}).String()
	manifest, err := json.Marshal(m)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	setupPage.Execute(w, map[string]string{"Name": m.Name, "Action": f.newAppURL(), "Manifest": string(manifest)})
}

// newAppURL is GitHub's form target, with the state the callback checks.
func (f *ManifestFlow) newAppURL() string {
	path := "settings/apps/new"
	if f.Org != "" {
		path = "organizations/" + url.PathEscape(f.Org) + "/settings/apps/new"
	}
	return f.WebURL + path + "?state=" + f.state
}

func (f *ManifestFlow) serveCallback(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(f.state)) != 1 {
		http.Error(w, "state does not match this setup session: start again at /", http.StatusBadRequest)
		return
	}
	code := q.Get("code")
	if code == "" {
		http.Error(w, "GitHub sent no code", http.StatusBadRequest)
		return
	}
	cfg, err := ExchangeManifestCode(r.Context(), f.API, code)
	if err == nil {
		err = f.Done(cfg)
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintf(w, "GitHub App %s (id %d) created; its credentials are saved. Install it: %s\n",
		cfg.GetSlug(), cfg.GetID(), cfg.GetHTMLURL()+"/installations/new")
}

// ExchangeManifestCode trades the code of GitHub's redirect for the new
// App's id, key and webhook secret (POST /app-manifests/{code}/conversions).
func ExchangeManifestCode(ctx context.Context, api *github.Client, code string) (*github.AppConfig, error) {
	cfg, _, err := api.Apps.CompleteAppManifest(ctx, code)
	if err != nil {
		return nil, fmt.Errorf("exchange the manifest code with %s: %w", api.BaseURL(), err)
	}
	if cfg.GetID() == 0 || cfg.GetPEM() == "" || cfg.GetWebhookSecret() == "" {
		return nil, errors.New("GitHub's manifest conversion lacks the App id, key or webhook secret")
	}
	return cfg, nil
}
