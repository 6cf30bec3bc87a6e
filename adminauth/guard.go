// Package adminauth decides who may see the bot's admin page and
// profiles, and what of them: the operator (a bearer token, or anyone on a
// loopback address when no access control is configured) sees everything;
// a person signed in with GitHub through the App's own OAuth client sees
// the rows of the repositories GitHub says they can access through the
// App's installations; anyone else gets 401.
//
// cmd/bot refuses to listen on an address other than loopback unless
// access control is configured (Config.Configured), and, once it is,
// enforces it on every address: a reverse proxy on the same machine makes
// every request come from loopback.
package adminauth

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/commit-labeler/commit-labeler/admin"
	"github.com/commit-labeler/commit-labeler/ghapp"
)

// Config is the access control of the admin page.
type Config struct {
	// Token is the bearer token of automation ("" for none): a request
	// with "Authorization: Bearer <Token>" sees everything.
	Token string
	// OAuth signs people in with GitHub (nil for no sign-in): the App's
	// OAuth client, GitHub's web root and API.
	OAuth *ghapp.OAuth
	// PublicURL is the admin page's root as browsers reach it, e.g.
	// https://admin.example.com/: GitHub sends people back to its
	// "callback", which must be one of the App's callback URLs. Required
	// with OAuth.
	PublicURL string
	// Log receives sign-ins and refused ones (slog.Default() when nil).
	Log *slog.Logger
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

// Configured reports whether c controls access to the page at all:
// without, only a loopback address may serve it. The profiles take the
// token alone.
func (c Config) Configured() bool { return c.Token != "" || c.OAuth != nil }

// Paths of the sign-in, relative to PublicURL.
const (
	PathLogin    = "login"
	PathCallback = "callback"
	PathLogout   = "logout"
)

// Names of the cookies: the session's, and the sign-in's state while
// GitHub asks the person.
const (
	sessionCookie = "commit_labeler_admin"
	stateCookie   = "commit_labeler_admin_state"
)

// stateLifetime bounds a sign-in from /login to /callback, as GitHub's
// codes are (10 minutes).
const stateLifetime = 10 * time.Minute

// Guard enforces a Config.
type Guard struct {
	c        Config
	token    tokenDigest
	base     *url.URL // PublicURL, with a trailing slash
	sessions sessions
}

// New checks c and returns its Guard.
func New(c Config) (*Guard, error) {
	if c.Log == nil {
		c.Log = slog.Default()
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	g := &Guard{c: c, token: sha256.Sum256([]byte(c.Token)), sessions: sessions{byID: map[string]session{}}}
	if c.OAuth == nil {
		return g, nil
	}
	if c.OAuth.ClientID == "" || c.OAuth.ClientSecret == "" {
		return nil, errors.New("adminauth: GitHub sign-in needs the App's client id and secret")
	}
	var err error
	if g.base, err = parsePublicURL(c.PublicURL); err != nil {
		return nil, err
	}
	return g, nil
}

// parsePublicURL parses the admin page's public URL and gives it the
// trailing slash its paths are joined to.
func parsePublicURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("adminauth: the admin page's public URL %q is not http(s)://HOST[/PATH]", raw)
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	return u, nil
}

// CallbackURL is where GitHub sends people back after they sign in to the
// admin page at publicURL: publicURL + "callback", which the App's
// settings must list as a callback URL.
func CallbackURL(publicURL string) (string, error) {
	u, err := parsePublicURL(publicURL)
	if err != nil {
		return "", err
	}
	return u.JoinPath(PathCallback).String(), nil
}

// CallbackURL is the callback of the guard's GitHub sign-in ("" without).
func (g *Guard) CallbackURL() string {
	if g.base == nil {
		return ""
	}
	return g.base.JoinPath(PathCallback).String()
}

// accessKey keys a request's viewer in its context.
type accessKey struct{}

// Admin serves next to whoever may see the admin page, with who they are
// (Viewer), and the sign-in's pages when GitHub sign-in is configured.
func (g *Guard) Admin(next http.Handler) http.Handler {
	mux := http.NewServeMux()
	if g.base != nil {
		mux.HandleFunc("GET /"+PathLogin, g.serveLogin)
		mux.HandleFunc("GET /"+PathCallback, g.serveCallback)
		mux.HandleFunc("POST /"+PathLogout, g.serveLogout)
	}
	mux.Handle("/", g.require(next, true))
	return mux
}

// Operator serves next to the operator alone: a bearer token, or anyone
// when no token is configured (the profiles of --pprof, which tell of
// every repository's work and which no sign-in opens).
func (g *Guard) Operator(next http.Handler) http.Handler { return g.require(next, false) }

// require serves next to a request with a credential, signed-in people
// included when people is set; others get 401.
func (g *Guard) require(next http.Handler, people bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, ok := g.viewer(r, people)
		if !ok {
			g.refuse(w, r, people)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), accessKey{}, v)))
	})
}

// viewer is who r comes from, if they may be served. A request that
// presents a bearer token is judged by it alone.
func (g *Guard) viewer(r *http.Request, people bool) (admin.Viewer, bool) {
	if token, err := bearer(r); err == nil {
		return admin.OperatorView, g.c.Token != "" && g.token.matches(token)
	}
	switch {
	case people && !g.c.Configured(), !people && g.c.Token == "":
		// Nothing guards it: cmd/bot listens on loopback alone then.
		return admin.OperatorView, true
	case !people || g.base == nil:
		return admin.Viewer{}, false
	}
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return admin.Viewer{}, false
	}
	sess, ok := g.sessions.get(c.Value, g.c.Now())
	if !ok {
		return admin.Viewer{}, false
	}
	return admin.Viewer{Login: sess.login, Scope: sess.scope, SignOut: g.base.JoinPath(PathLogout).Path}, true
}

// Viewer is who a request Admin served comes from, for admin.Config.
// Outside Admin it sees nothing.
func (g *Guard) Viewer(r *http.Request) admin.Viewer {
	v, _ := r.Context().Value(accessKey{}).(admin.Viewer) // the zero Viewer's scope is no repository
	return v
}
