// Package ghapp is the GitHub plumbing: it registers a GitHub App (the
// manifest flow and app.env), authenticates as the App, as its
// installations or with one token, sends every request through a
// Transport that keeps GitHub's rate limits, reads GitHub's paged lists,
// and signs people in to the App (OAuth). The webhook bot and the
// training pipeline share it; it imports no other package of this module.
package ghapp

import (
	"crypto/rsa"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/golang-jwt/jwt/v4"
)

// DefaultAPIURL is the REST API root of github.com.
const DefaultAPIURL = "https://api.github.com/"

// Environment variables read by ConfigFromEnv.
const (
	EnvAppID          = "GITHUB_APP_ID"
	EnvPrivateKeyPath = "GITHUB_PRIVATE_KEY_PATH"
	EnvPrivateKey     = "GITHUB_PRIVATE_KEY"
	EnvAPIURL         = "GITHUB_API_URL"
)

// Config identifies a GitHub App and the API it talks to.
type Config struct {
	// AppID is the App's numeric id.
	AppID int64
	// PrivateKey is the App's PEM-encoded RSA private key.
	PrivateKey []byte
	// APIURL is the REST API root: DefaultAPIURL when empty, or a GitHub
	// Enterprise Server URL such as https://ghe.example.com/api/v3/.
	APIURL string
	// Transport carries the API requests (http.DefaultTransport when nil),
	// for instance wrapped to count calls and record rate limits.
	Transport http.RoundTripper
}

// ConfigFromEnv reads the Config from GITHUB_APP_ID, GITHUB_PRIVATE_KEY_PATH
// or GITHUB_PRIVATE_KEY (the PEM text itself) and GITHUB_API_URL. Errors
// name the variable at fault and never contain the key.
func ConfigFromEnv() (Config, error) {
	var cfg Config
	id := strings.TrimSpace(os.Getenv(EnvAppID))
	if id == "" {
		return cfg, fmt.Errorf("ghapp: %s is not set", EnvAppID)
	}
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n <= 0 {
		return cfg, fmt.Errorf("ghapp: %s=%q is not a positive integer", EnvAppID, id)
	}
	cfg.AppID = n

	keyName := EnvPrivateKey
	switch path, inline := os.Getenv(EnvPrivateKeyPath), os.Getenv(EnvPrivateKey); {
	case path != "" && inline != "":
		return cfg, fmt.Errorf("ghapp: set only one of %s and %s", EnvPrivateKeyPath, EnvPrivateKey)
	case path != "":
		keyName = EnvPrivateKeyPath + "=" + path
		if cfg.PrivateKey, err = os.ReadFile(path); err != nil {
			return cfg, fmt.Errorf("ghapp: %s: %w", EnvPrivateKeyPath, err)
		}
	case inline != "":
		cfg.PrivateKey = []byte(inline)
	default:
		return cfg, fmt.Errorf("ghapp: neither %s nor %s is set", EnvPrivateKeyPath, EnvPrivateKey)
	}
	if _, err := parsePrivateKey(cfg.PrivateKey); err != nil {
		return cfg, fmt.Errorf("ghapp: %s: %w", keyName, err)
	}

	cfg.APIURL = os.Getenv(EnvAPIURL)
	if _, err := apiURL(cfg.APIURL); err != nil {
		return cfg, fmt.Errorf("ghapp: %s: %w", EnvAPIURL, err)
	}
	return cfg, nil
}

// errBadKey is deliberately generic: the parser's own errors are safe, but
// this one is guaranteed never to quote the input.
var errBadKey = errors.New("not a PEM-encoded RSA private key")

// parsePrivateKey decodes the App's PEM key (PKCS #1 or PKCS #8).
func parsePrivateKey(pem []byte) (*rsa.PrivateKey, error) {
	if len(pem) == 0 {
		return nil, errors.New("private key is empty")
	}
	key, err := jwt.ParseRSAPrivateKeyFromPEM(pem)
	if err != nil {
		return nil, errBadKey
	}
	return key, nil
}

// apiURL parses the API root, defaulting to DefaultAPIURL, and gives it the
// trailing slash go-github requires.
func apiURL(raw string) (*url.URL, error) {
	if raw == "" {
		raw = DefaultAPIURL
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("API URL %q: %w", raw, err)
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("API URL %q is not an http(s) URL with a host", raw)
	}
	if u.User != nil {
		return nil, fmt.Errorf("API URL %q must not carry credentials", u.Redacted())
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	return u, nil
}
