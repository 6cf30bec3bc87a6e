package ghapp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// Environment variables of the App's OAuth client, which `bot setup`
// writes to app.env from GitHub's answer to the manifest.
const (
	EnvClientID     = "GITHUB_CLIENT_ID"
	EnvClientSecret = "GITHUB_CLIENT_SECRET"
)

// OAuth signs people in to the App with its OAuth client (GitHub's web
// application flow for GitHub Apps): GitHub asks a person to authorize the
// App and hands back a code, exchanged for a user access token, which acts
// for the person within what both they and the App's installations may
// reach. GitHub Apps take no scopes.
type OAuth struct {
	// ClientID and ClientSecret are the App's OAuth client (not its id).
	ClientID, ClientSecret string
	// WebURL is GitHub's web root, where people authorize the App:
	// https://github.com/, or an Enterprise Server's https://HOST/.
	WebURL string
	// APIURL is the REST API root (DefaultAPIURL when empty).
	APIURL string
	// Transport carries the requests (http.DefaultTransport when nil).
	Transport http.RoundTripper
}

// AuthorizeURL is the page GitHub asks a person to authorize the App on;
// it then sends them to redirectURL (which must be one of the App's
// callback URLs) with a code and state.
func (o OAuth) AuthorizeURL(redirectURL, state string) string {
	q := url.Values{"client_id": {o.ClientID}, "redirect_uri": {redirectURL}, "state": {state}}
	return strings.TrimSuffix(o.WebURL, "/") + "/login/oauth/authorize?" + q.Encode()
}

// tokenAnswer is GitHub's answer to a code exchange: a token, or, still
// with status 200, an error such as bad_verification_code.
type tokenAnswer struct {
	AccessToken      string `json:"access_token"`
	TokenType        string `json:"token_type"`
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
}

// maxTokenAnswer bounds the answer read: a token answer is a few hundred
// bytes.
const maxTokenAnswer = 64 << 10

// Exchange trades the code GitHub sent to redirectURL for a user access
// token (POST /login/oauth/access_token). The token is a secret: never
// log or store it.
func (o OAuth) Exchange(ctx context.Context, code, redirectURL string) (string, error) {
	form := url.Values{"client_id": {o.ClientID}, "client_secret": {o.ClientSecret}, "code": {code}, "redirect_uri": {redirectURL}}
	endpoint := strings.TrimSuffix(o.WebURL, "/") + "/login/oauth/access_token"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return "", fmt.Errorf("ghapp: exchange the sign-in code: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := o.client().Do(req)
	if err != nil {
		return "", fmt.Errorf("ghapp: exchange the sign-in code at %s: %w", endpoint, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxTokenAnswer))
	if err != nil {
		return "", fmt.Errorf("ghapp: exchange the sign-in code at %s: %w", endpoint, err)
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("ghapp: exchange the sign-in code at %s: status %d", endpoint, resp.StatusCode)
	}
	var answer tokenAnswer
	if err := json.Unmarshal(body, &answer); err != nil {
		return "", fmt.Errorf("ghapp: exchange the sign-in code at %s: %w", endpoint, err)
	}
	switch {
	case answer.Error != "":
		return "", fmt.Errorf("ghapp: GitHub refused the sign-in code: %s: %s", answer.Error, answer.ErrorDescription)
	case answer.AccessToken == "" || !strings.EqualFold(answer.TokenType, "bearer"):
		return "", errors.New("ghapp: GitHub's answer to the sign-in code holds no bearer token")
	}
	return answer.AccessToken, nil
}

func (o OAuth) client() *http.Client {
	t := o.Transport
	if t == nil {
		t = http.DefaultTransport
	}
	return &http.Client{Transport: t}
}
