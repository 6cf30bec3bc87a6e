package fakegithub

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/go-github/v93/github"
)

// The web pages of GitHub's sign-in for Apps (the web application flow).
// They live on github.com, not on the API, and so are not in GitHub's REST
// description: serve answers them without the oracle, as GitHub's
// documentation describes them
// (https://docs.github.com/apps/creating-github-apps/authenticating-with-a-github-app/generating-a-user-access-token-for-a-github-app).
const (
	pathAuthorize   = "/login/oauth/authorize"
	pathAccessToken = "/login/oauth/access_token"
	// oauthPathPrefix is what the two share.
	oauthPathPrefix = "/login/oauth/"
)

// WebSessionCookie is the cookie by which the fake's web pages know who is
// signed in to GitHub in a browser: a test sets it in a client's cookie
// jar (OAuth.WebSession) to act as that person.
const WebSessionCookie = "user_session"

// codeLifetime is how long GitHub honours a sign-in code.
const codeLifetime = 10 * time.Minute

// OAuth is the App's OAuth client on the fake: the people who may sign in
// to the App and what GitHub lets each of them access.
type OAuth struct {
	s                      *Server
	clientID, clientSecret string
	callbackURLs           []string

	mu       sync.Mutex
	users    map[string]*oauthUser // by login
	sessions map[string]string     // web session → login
	codes    map[string]issuedCode
}

// oauthUser is a person and the repositories of each installation they
// can access.
type oauthUser struct {
	user   *github.User
	access map[int64][]string // installation id → full names
}

type issuedCode struct {
	login, redirectURL string
	expiresAt          time.Time
}

// ServeOAuth makes the App's OAuth client clientID (with clientSecret)
// and its callback URLs, the only redirect_uri GitHub accepts, and
// registers the sign-in pages and the API endpoints a user access token
// reads: GET /user, GET /user/installations and GET
// /user/installations/{installation_id}/repositories.
func ServeOAuth(s *Server, clientID, clientSecret string, callbackURLs ...string) *OAuth {
	o := &OAuth{s: s, clientID: clientID, clientSecret: clientSecret, callbackURLs: callbackURLs,
		users: map[string]*oauthUser{}, sessions: map[string]string{}, codes: map[string]issuedCode{}}
	s.mux.HandleFunc("GET "+pathAuthorize, o.serveAuthorize)
	s.mux.HandleFunc("POST "+pathAccessToken, o.serveAccessToken)
	s.Handle("GET /user", AuthUser, func(w http.ResponseWriter, r *http.Request) {
		WriteJSON(w, http.StatusOK, o.user(r).user)
	})
	s.Handle("GET /user/installations", AuthUser, func(w http.ResponseWriter, r *http.Request) {
		u := o.user(r)
		s.mu.Lock()
		var installations []*github.Installation
		for _, inst := range s.installations {
			if _, ok := u.access[inst.GetID()]; ok {
				installations = append(installations, inst)
			}
		}
		s.mu.Unlock()
		page := Paginate(s, w, r, installations)
		WriteJSON(w, http.StatusOK, map[string]any{"total_count": len(installations), "installations": page})
	})
	s.Handle("GET /user/installations/{installation_id}/repositories", AuthUser, func(w http.ResponseWriter, r *http.Request) {
		id, _ := strconv.ParseInt(r.PathValue("installation_id"), 10, 64)
		names, ok := o.user(r).access[id]
		if !ok {
			WriteError(w, http.StatusNotFound, "Not Found")
			return
		}
		s.mu.Lock()
		var repos []*github.Repository
		for _, repo := range s.repos[id] {
			if slices.Contains(names, repo.GetFullName()) {
				repos = append(repos, repo)
			}
		}
		s.mu.Unlock()
		total := len(repos)
		WriteJSON(w, http.StatusOK, &github.ListRepositories{TotalCount: &total, Repositories: Paginate(s, w, r, repos)})
	})
	return o
}

// AddUser makes login a GitHub user who may sign in to the App and, of
// each installation in access, can access the repositories named (full
// names of repositories the installation grants). GitHub lists only the
// installations in access to them.
func (o *OAuth) AddUser(login string, id int64, access map[int64][]string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	// GET /user shows the signed-in person their own, private view.
	o.users[login] = &oauthUser{user: &github.User{Login: &login, ID: &id, Type: new("User"), UserViewType: new("private")},
		access: access}
}

// WebSession returns the cookie of a browser signed in to GitHub as
// login, for a test's cookie jar.
func (o *OAuth) WebSession(login string) *http.Cookie {
	session := randomString(20)
	o.mu.Lock()
	o.sessions[session] = login
	o.mu.Unlock()
	return &http.Cookie{Name: WebSessionCookie, Value: session}
}

// serveAuthorize is GitHub's page asking a person to authorize the App:
// the person is taken as having authorized it at once, and is sent to the
// callback with a code and the state, as GitHub does once they have.
func (o *OAuth) serveAuthorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("client_id") != o.clientID {
		http.Error(w, "Not Found", http.StatusNotFound)
		return
	}
	redirect := q.Get("redirect_uri")
	if redirect == "" && len(o.callbackURLs) > 0 {
		redirect = o.callbackURLs[0]
	}
	if !slices.Contains(o.callbackURLs, redirect) {
		http.Error(w, "The redirect_uri is not associated with this application.", http.StatusBadRequest)
		return
	}
	cookie, err := r.Cookie(WebSessionCookie)
	o.mu.Lock()
	login := ""
	if err == nil {
		login = o.sessions[cookie.Value]
	}
	code := randomString(10)
	if login != "" {
		o.codes[code] = issuedCode{login: login, redirectURL: q.Get("redirect_uri"), expiresAt: time.Now().Add(codeLifetime)}
	}
	o.mu.Unlock()
	if login == "" {
		http.Error(w, "Sign in to GitHub to continue.", http.StatusUnauthorized)
		return
	}
	back, _ := url.Parse(redirect)
	bq := back.Query()
	bq.Set("code", code)
	if state := q.Get("state"); state != "" {
		bq.Set("state", state)
	}
	back.RawQuery = bq.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

// serveAccessToken exchanges a code for a user access token. Like GitHub,
// it answers a refused exchange with status 200 and an error member, in
// JSON when asked for (Accept: application/json), else form-encoded.
func (o *OAuth) serveAccessToken(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	answer := o.exchange(r.Form)
	if strings.Contains(r.Header.Get("Accept"), "application/json") {
		WriteJSON(w, http.StatusOK, answer)
		return
	}
	form := url.Values{}
	for k, v := range answer {
		form.Set(k, v)
	}
	w.Header().Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	w.Write([]byte(form.Encode()))
}

// exchange is the answer to an exchange of the form's code.
func (o *OAuth) exchange(form url.Values) map[string]string {
	refuse := func(code, description string) map[string]string {
		return map[string]string{"error": code, "error_description": description,
			"error_uri": "https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/#" + strings.ReplaceAll(code, "_", "-")}
	}
	if form.Get("client_id") != o.clientID || form.Get("client_secret") != o.clientSecret {
		return refuse("incorrect_client_credentials", "The client_id and/or client_secret passed are incorrect.")
	}
	o.mu.Lock()
	issued, ok := o.codes[form.Get("code")]
	delete(o.codes, form.Get("code"))
	o.mu.Unlock()
	switch {
	case !ok || time.Now().After(issued.expiresAt):
		return refuse("bad_verification_code", "The code passed is incorrect or expired.")
	case form.Get("redirect_uri") != "" && form.Get("redirect_uri") != issued.redirectURL:
		return refuse("redirect_uri_mismatch", "The redirect_uri MUST match the registered callback URL for this application.")
	}
	token := "ghu_" + randomString(27)
	o.s.mu.Lock()
	o.s.userTokens[token] = issuedUserToken{login: issued.login, expiresAt: time.Now().Add(userTokenLifetime)}
	o.s.mu.Unlock()
	return map[string]string{"access_token": token, "expires_in": strconv.Itoa(int(userTokenLifetime.Seconds())),
		"refresh_token": "ghr_" + randomString(54), "refresh_token_expires_in": "15897600", "scope": "", "token_type": "bearer"}
}

// userTokenLifetime is GitHub's lifetime of an expiring user access token.
const userTokenLifetime = 8 * time.Hour

type issuedUserToken struct {
	login     string
	expiresAt time.Time
}

// userLogin returns the login a user access token was issued to, if it
// is known and unexpired.
func (s *Server) userLogin(token string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.userTokens[token]
	if !ok || time.Now().After(t.expiresAt) {
		return "", false
	}
	return t.login, true
}

type userKey struct{}

// user is the person a request registered with AuthUser authenticated as.
func (o *OAuth) user(r *http.Request) *oauthUser {
	login, _ := r.Context().Value(userKey{}).(string)
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.users[login]
}

func withUser(ctx context.Context, login string) context.Context {
	return context.WithValue(ctx, userKey{}, login)
}

// randomString is n random bytes, base64url-encoded.
func randomString(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
