package adminauth

import (
	"crypto/subtle"
	"net/http"
	"time"

	"github.com/commit-labeler/commit-labeler/store"
)

// cookie is one of the guard's cookies, set for the admin page's path:
// HttpOnly (no script reads it), Secure when browsers reach the page over
// TLS, SameSite=Lax (sent along when GitHub redirects back, not with
// another site's POST).
func (g *Guard) cookie(name, value string, maxAge time.Duration) *http.Cookie {
	c := &http.Cookie{Name: name, Value: value, Path: g.base.Path, HttpOnly: true, Secure: g.base.Scheme == "https",
		SameSite: http.SameSiteLaxMode, MaxAge: int(maxAge.Seconds())}
	if maxAge < 0 {
		c.MaxAge = -1
	}
	return c
}

// serveLogin sends the browser to GitHub to sign in, with a state bound
// to it by a cookie, which the callback checks.
func (g *Guard) serveLogin(w http.ResponseWriter, r *http.Request) {
	state := randomID()
	http.SetCookie(w, g.cookie(stateCookie, state, stateLifetime))
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, g.c.OAuth.AuthorizeURL(g.CallbackURL(), state), http.StatusFound)
}

// serveCallback finishes a sign-in: the state must be the one this
// browser was given; the code is exchanged for a user access token, with
// which GitHub is asked what the person can access; the session keeps the
// answer, not the token.
func (g *Guard) serveCallback(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	cookie, err := r.Cookie(stateCookie)
	if err != nil || q.Get("state") == "" || subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(cookie.Value)) != 1 {
		g.c.Log.WarnContext(r.Context(), "admin sign-in refused", "reason", "state does not match", "remote", r.RemoteAddr)
		g.page(w, http.StatusBadRequest, "This sign-in was not started here, or took longer than 10 minutes.")
		return
	}
	http.SetCookie(w, g.cookie(stateCookie, "", -1))
	if reason := q.Get("error"); reason != "" {
		// access_denied: the person declined to authorize the App.
		g.c.Log.InfoContext(r.Context(), "admin sign-in refused", "reason", reason, "remote", r.RemoteAddr)
		g.page(w, http.StatusUnauthorized, "GitHub did not sign you in ("+reason+").")
		return
	}
	ctx := r.Context()
	token, err := g.c.OAuth.Exchange(ctx, q.Get("code"), g.CallbackURL())
	if err != nil {
		g.c.Log.WarnContext(ctx, "admin sign-in failed", "err", err, "remote", r.RemoteAddr)
		g.page(w, http.StatusBadGateway, "GitHub did not confirm the sign-in: see the bot's log.")
		return
	}
	access, err := g.c.OAuth.UserAccess(ctx, token, g.c.Log)
	if err != nil {
		g.c.Log.WarnContext(ctx, "admin sign-in failed", "err", err, "remote", r.RemoteAddr)
		g.page(w, http.StatusBadGateway, "GitHub did not say what you can access: see the bot's log.")
		return
	}
	if len(access.Installations) == 0 {
		g.c.Log.InfoContext(ctx, "admin sign-in refused", "login", access.Login, "reason", "no installation of the App")
		g.page(w, http.StatusForbidden, "GitHub lists no installation of this App that "+access.Login+" can access.")
		return
	}
	now := g.c.Now()
	id := g.sessions.add(session{login: access.Login, scope: store.OnlyRepos(access.Repositories...), expires: now.Add(SessionLifetime)}, now)
	g.c.Log.InfoContext(ctx, "admin sign-in", "login", access.Login, "installations", len(access.Installations),
		"repositories", len(access.Repositories))
	http.SetCookie(w, g.cookie(sessionCookie, id, SessionLifetime))
	http.Redirect(w, r, g.base.Path, http.StatusSeeOther)
}

// serveLogout ends the browser's session.
func (g *Guard) serveLogout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		g.sessions.remove(c.Value)
	}
	http.SetCookie(w, g.cookie(sessionCookie, "", -1))
	g.page(w, http.StatusOK, "Signed out.")
}
