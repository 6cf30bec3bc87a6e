package fakegithub

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Auth is the credential a route requires.
type Auth int

const (
	// AuthNone accepts any request.
	AuthNone Auth = iota
	// AuthApp requires "Authorization: Bearer <JWT>" signed (RS256) with the
	// App's key, issued by the App, unexpired, valid for at most 10 minutes.
	AuthApp
	// AuthInstallation requires "Authorization: token <installation token>"
	// (or Bearer) of a token the server issued and that has not expired.
	AuthInstallation
	// AuthUser requires "Authorization: Bearer <user access token>" (or
	// token) of a token the App's OAuth client issued (ServeOAuth) and
	// that has not expired.
	AuthUser
)

// tokenLifetime is GitHub's installation token lifetime.
const tokenLifetime = time.Hour

type issuedToken struct {
	installationID int64
	expiresAt      time.Time
}

func (s *Server) authenticate(auth Auth, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		scheme, cred, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		switch auth {
		case AuthApp:
			if !strings.EqualFold(scheme, "Bearer") {
				WriteError(w, http.StatusUnauthorized, errJWTUndecodable.Error())
				return
			}
			if err := verifyJWT(cred, s.appID, &s.key.PublicKey, time.Now()); err != nil {
				WriteError(w, http.StatusUnauthorized, err.Error())
				return
			}
		case AuthInstallation, AuthUser:
			ctx, ok := s.tokenContext(r.Context(), auth, cred)
			if !ok || (!strings.EqualFold(scheme, "token") && !strings.EqualFold(scheme, "Bearer")) {
				WriteError(w, http.StatusUnauthorized, "Bad credentials")
				return
			}
			r = r.WithContext(ctx)
		}
		h(w, r)
	}
}

// tokenContext is ctx with whom the token cred of the kind auth was issued
// to (an installation, a user), if it is known and unexpired.
func (s *Server) tokenContext(ctx context.Context, auth Auth, cred string) (context.Context, bool) {
	if auth == AuthUser {
		login, ok := s.userLogin(cred)
		return withUser(ctx, login), ok
	}
	id, ok := s.TokenInstallation(cred)
	return withInstallation(ctx, id), ok
}

// TokenInstallation returns the installation a token was issued to, if the
// token is known and unexpired. A git server in a test uses it to check the
// credentials a clone sends.
func (s *Server) TokenInstallation(token string) (int64, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tokens[token]
	if !ok || time.Now().After(t.expiresAt) {
		return 0, false
	}
	return t.installationID, true
}

// Tokens returns every token issued so far, so that a test can check none
// leaked.
func (s *Server) Tokens() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.tokens))
	for tok := range s.tokens {
		out = append(out, tok)
	}
	return out
}

// JobToken issues a token like a GitHub Actions job's GITHUB_TOKEN: an
// installation token (of GitHub's Actions App) reaching the repositories
// of installationID.
func (s *Server) JobToken(installationID int64) string {
	tok, _ := s.issueToken(installationID)
	return tok
}

func (s *Server) issueToken(installationID int64) (string, time.Time) {
	b := make([]byte, 27)
	rand.Read(b)
	tok := "ghs_" + base64.RawURLEncoding.EncodeToString(b) // 36 characters, like GitHub's
	exp := time.Now().Add(tokenLifetime).Truncate(time.Second)
	s.mu.Lock()
	s.tokens[tok] = issuedToken{installationID: installationID, expiresAt: exp}
	s.mu.Unlock()
	return tok, exp
}

// jwtClaims are the claims GitHub reads from an App JWT.
type jwtClaims struct {
	IssuedAt  int64  `json:"iat"`
	ExpiresAt int64  `json:"exp"`
	Issuer    string `json:"iss"`
}

// errJWTUndecodable carries GitHub's own message, capital and all: the
// errors of verifyJWT are the messages of its 401 answers.
//
//lint:ignore ST1005 the text is GitHub's answer, word for word
var errJWTUndecodable = errors.New("A JSON web token could not be decoded")

// clockSkew is the drift GitHub tolerates on iat.
const clockSkew = time.Minute

// verifyJWT checks an App JWT the way GitHub does: RS256 signature by the
// App's key, issuer the App id, not expired, at most 10 minutes long.
func verifyJWT(token string, appID int64, pub *rsa.PublicKey, now time.Time) error {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return errJWTUndecodable
	}
	var header struct {
		Alg string `json:"alg"`
	}
	if err := decodeSegment(parts[0], &header); err != nil || header.Alg != "RS256" {
		return fmt.Errorf("JWT header: algorithm %q is not RS256", header.Alg)
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return errors.New("JWT signature is not base64url")
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig); err != nil {
		return errors.New("JWT signature does not match the App's key")
	}
	var c jwtClaims
	if err := decodeSegment(parts[1], &c); err != nil {
		return errors.New("JWT claims could not be decoded")
	}
	if c.Issuer != strconv.FormatInt(appID, 10) {
		return fmt.Errorf("JWT issuer %q is not App %d", c.Issuer, appID)
	}
	iat, exp := time.Unix(c.IssuedAt, 0), time.Unix(c.ExpiresAt, 0)
	switch {
	case !exp.After(now):
		return errors.New("JWT has expired")
	case iat.After(now.Add(clockSkew)):
		return errors.New("JWT 'iat' is in the future")
	case exp.Sub(iat) > 10*time.Minute:
		return errors.New("JWT 'exp' is too far in the future")
	}
	return nil
}

func decodeSegment(seg string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}
