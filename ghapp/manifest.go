package ghapp

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// Manifest is a GitHub App manifest in Probot's app.yml format; its JSON
// form is what GitHub's "create an App from a manifest" flow takes.
type Manifest struct {
	Name               string            `yaml:"name" json:"name"`
	Description        string            `yaml:"description,omitempty" json:"description,omitempty"`
	URL                string            `yaml:"url" json:"url"`
	HookAttributes     HookAttributes    `yaml:"hook_attributes" json:"hook_attributes"`
	RedirectURL        string            `yaml:"redirect_url" json:"redirect_url"`
	CallbackURLs       []string          `yaml:"callback_urls,omitempty" json:"callback_urls,omitempty"`
	SetupURL           string            `yaml:"setup_url,omitempty" json:"setup_url,omitempty"`
	Public             bool              `yaml:"public" json:"public"`
	DefaultEvents      []string          `yaml:"default_events" json:"default_events"`
	DefaultPermissions map[string]string `yaml:"default_permissions" json:"default_permissions"`
	// RequestOAuthOnInstall asks whoever installs the App to authorize it.
	RequestOAuthOnInstall bool `yaml:"request_oauth_on_install,omitempty" json:"request_oauth_on_install,omitempty"`
	// SetupOnUpdate sends whoever changes an installation to SetupURL.
	SetupOnUpdate bool `yaml:"setup_on_update,omitempty" json:"setup_on_update,omitempty"`
}

// HookAttributes is the manifest's webhook.
type HookAttributes struct {
	URL    string `yaml:"url" json:"url"`
	Active *bool  `yaml:"active,omitempty" json:"active,omitempty"`
}

// deliveredToEveryApp are the events GitHub sends every App without a
// subscription; it refuses a manifest whose default_events lists one.
var deliveredToEveryApp = []string{"installation", "installation_repositories", "github_app_authorization"}

// ParseManifest decodes app.yml, refusing unknown keys, a manifest without
// a name, an absolute webhook URL or events, and events no App can
// subscribe to.
func ParseManifest(data []byte) (*Manifest, error) {
	var m Manifest
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("app manifest: %w", err)
	}
	switch {
	case m.Name == "":
		return nil, errors.New("app manifest: name is empty")
	case !absoluteHTTPURL(m.HookAttributes.URL):
		return nil, fmt.Errorf("app manifest: hook_attributes.url %q is not an absolute http(s) URL", m.HookAttributes.URL)
	case len(m.DefaultEvents) == 0:
		return nil, errors.New("app manifest: default_events is empty")
	}
	for _, event := range m.DefaultEvents {
		if slices.Contains(deliveredToEveryApp, event) {
			return nil, fmt.Errorf("app manifest: default_events lists %s, which GitHub sends every App unsubscribed and refuses in a manifest", event)
		}
	}
	return &m, nil
}

func absoluteHTTPURL(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

// WebURL returns the web root of the GitHub that serves the API root
// apiURL: https://github.com/ for the public API, https://HOST/ for an
// Enterprise Server's https://HOST/api/v3/.
func WebURL(apiURL string) (string, error) {
	if apiURL == "" {
		apiURL = DefaultAPIURL
	}
	u, err := url.Parse(apiURL)
	if err != nil || !absoluteHTTPURL(apiURL) {
		return "", fmt.Errorf("API URL %q is not an absolute http(s) URL", apiURL)
	}
	if u.Host == "api.github.com" {
		return "https://github.com/", nil
	}
	u.Path = strings.TrimSuffix(strings.TrimSuffix(u.Path, "/"), "/api/v3") + "/"
	u.RawQuery, u.Fragment = "", ""
	return u.String(), nil
}
