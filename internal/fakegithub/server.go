// Package fakegithub is an in-process GitHub REST API for tests. It speaks the
// real wire format (go-github's types on both sides), paginates with Link
// headers, checks App JWTs and installation tokens like GitHub does, and
// records every request for assertions. Tests extend it with Handle. In a
// test (New) it holds itself to GitHub's OpenAPI description (oracle.go).
package fakegithub

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-github/v93/github"

	"github.com/commit-labeler/commit-labeler/internal/ghspec"
)

// Request is one request the server received.
type Request struct {
	Method string
	Path   string
	Query  url.Values
	Header http.Header
	Body   []byte
}

// Server is a fake GitHub API. It is safe for concurrent use.
type Server struct {
	// URL is the API root, with a trailing slash (a GITHUB_API_URL).
	URL string

	srv        *httptest.Server
	mux        *http.ServeMux
	appID      int64
	key        *rsa.PrivateKey
	maxPerPage int
	record     bool
	// oracle checks requests and responses against GitHub's description;
	// nil outside tests (Start) and WithoutOracle.
	oracle     *oracle
	noOracle   bool
	violations []string

	mu            sync.Mutex
	installations []*github.Installation
	repos         map[int64][]*github.Repository
	tokens        map[string]issuedToken
	userTokens    map[string]issuedUserToken
	requests      []Request
}

// Option configures a Server.
type Option func(*Server)

// WithApp makes the server accept JWTs of this App, signed with key.
func WithApp(appID int64, key *rsa.PrivateKey) Option {
	return func(s *Server) { s.appID, s.key = appID, key }
}

// WithoutRequestLog keeps Requests empty, so that a load test's millions of
// requests do not accumulate (Repos.Calls still records the repository calls).
func WithoutRequestLog() Option {
	return func(s *Server) { s.record = false }
}

// WithoutOracle serves without checking requests and responses against
// GitHub's OpenAPI description: for a test that sends GitHub what it
// refuses on purpose, to see the answer.
func WithoutOracle() Option {
	return func(s *Server) { s.noOracle = true }
}

// WithMaxPerPage caps the page size (GitHub's cap is 100), so that tests
// exercise pagination with few items.
func WithMaxPerPage(n int) Option {
	return func(s *Server) { s.maxPerPage = n }
}

// New starts a server, closed when the test ends. Without WithApp it makes
// App 1 with a fresh 2048-bit key. Each request it receives and each
// response it sends is checked against GitHub's OpenAPI description; a
// request GitHub would refuse is answered as GitHub does (422, or 404 for
// no such operation), and every violation fails t when the test ends.
func New(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s, err := Start(opts...)
	if err != nil {
		t.Fatal(err)
	}
	if !s.noOracle {
		ghspec.Require(t, ghspec.RESTDotCom)
		o, err := loadOracle()
		if err != nil {
			s.Close()
			t.Fatal(err)
		}
		s.mu.Lock()
		s.oracle = o
		s.mu.Unlock()
	}
	t.Cleanup(func() {
		s.Close()
		for _, v := range s.Violations() {
			t.Errorf("fake GitHub: GitHub's OpenAPI description refuses %s", v)
		}
	})
	return s
}

// Violations returns what GitHub's description refused so far: requests
// and responses, each naming its operation and fields.
func (s *Server) Violations() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.violations...)
}

// Start starts a server on a loopback port, outside a test (`bench bot`);
// Close stops it. Without WithApp it makes App 1 with a fresh 2048-bit key.
func Start(opts ...Option) (*Server, error) {
	s := &Server{
		mux:        http.NewServeMux(),
		maxPerPage: 100,
		record:     true,
		repos:      map[int64][]*github.Repository{},
		tokens:     map[string]issuedToken{},
		userTokens: map[string]issuedUserToken{},
	}
	for _, o := range opts {
		o(s)
	}
	if s.key == nil {
		key, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			return nil, fmt.Errorf("fakegithub: generate App key: %w", err)
		}
		s.appID, s.key = 1, key
	}
	s.mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		WriteError(w, http.StatusNotFound, "Not Found")
	})
	s.registerApps()
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL + "/"
	return s, nil
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// AppID returns the id of the App the server accepts.
func (s *Server) AppID() int64 { return s.appID }

// PrivateKeyPEM returns the App's key as GitHub hands it out (PKCS #1 PEM).
func (s *Server) PrivateKeyPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(s.key)})
}

// Handle registers h for pattern (http.ServeMux syntax, "GET /repos/{owner}/{repo}/labels"),
// behind the given authentication.
func (s *Server) Handle(pattern string, auth Auth, h http.HandlerFunc) {
	s.mux.Handle(pattern, s.authenticate(auth, h))
}

// Requests returns a copy of the requests received so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// serve records the request, then routes it.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		WriteError(w, http.StatusBadRequest, "unreadable body: "+err.Error())
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	s.mu.Lock()
	if s.record {
		s.requests = append(s.requests, Request{
			Method: r.Method,
			Path:   r.URL.Path,
			Query:  r.URL.Query(),
			Header: r.Header.Clone(),
			Body:   body,
		})
	}
	o := s.oracle
	s.mu.Unlock()
	// The sign-in pages are github.com's, not the API's (oauth.go).
	if o == nil || strings.HasPrefix(r.URL.Path, oauthPathPrefix) {
		s.mux.ServeHTTP(w, r)
		return
	}
	s.serveChecked(o, w, r, body)
}

// serveChecked serves r under the oracle: a request GitHub would refuse
// gets GitHub's 422; a response is checked before it is sent.
func (s *Server) serveChecked(o *oracle, w http.ResponseWriter, r *http.Request, body []byte) {
	checked, err := o.checkRequest(r, body)
	if err != nil {
		s.violate(err)
		if checked == nil {
			WriteError(w, http.StatusNotFound, "Not Found")
			return
		}
		WriteError(w, http.StatusUnprocessableEntity, "Invalid request.\n\n"+err.Error())
		return
	}
	rec := httptest.NewRecorder()
	s.mux.ServeHTTP(rec, r)
	if r.Context().Err() != nil {
		return // the client is gone (a test's handler held it until then)
	}
	body, own := o.completeResponse(checked, rec.Code, rec.Body.Bytes())
	if err := o.checkResponse(checked, rec.Code, rec.Header(), body, own); err != nil {
		s.violate(err)
	}
	maps.Copy(w.Header(), rec.Header())
	w.Header().Del("Content-Length")
	w.WriteHeader(rec.Code)
	w.Write(body)
}

func (s *Server) violate(err error) {
	s.mu.Lock()
	s.violations = append(s.violations, err.Error())
	s.mu.Unlock()
}

type installationKey struct{}

// InstallationID returns the installation a request authenticated as, in a
// handler registered with AuthInstallation; 0 otherwise.
func InstallationID(r *http.Request) int64 {
	id, _ := r.Context().Value(installationKey{}).(int64)
	return id
}

func withInstallation(ctx context.Context, id int64) context.Context {
	return context.WithValue(ctx, installationKey{}, id)
}
