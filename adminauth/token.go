package adminauth

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
)

// minTokenLength is the shortest bearer token accepted: 32 characters of
// `openssl rand -hex 16` are 128 bits.
const minTokenLength = 32

// ReadTokenFile reads the bearer token from path (--admin-token-file):
// the file's one line, surrounding white space dropped. Errors never
// quote the token.
func ReadTokenFile(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("admin token: %w", err)
	}
	token := strings.TrimSpace(string(b))
	switch {
	case strings.ContainsAny(token, " \t\r\n"):
		return "", fmt.Errorf("admin token %s: more than one word", path)
	case len(token) < minTokenLength:
		return "", fmt.Errorf("admin token %s: %d characters, want at least %d (openssl rand -hex 32)", path, len(token), minTokenLength)
	}
	return token, nil
}

// tokenDigest is what a bearer token is compared by: its SHA-256.
type tokenDigest [sha256.Size]byte

// errNoBearer is a request without "Authorization: Bearer …".
var errNoBearer = errors.New("no bearer token")

// bearer returns the token of r's "Authorization: Bearer …" header.
func bearer(r *http.Request) (string, error) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return "", errNoBearer
	}
	return token, nil
}

// matches reports whether presented is the token of digest d. Both sides
// are hashed to equal lengths and compared in constant time, so that
// neither the time taken nor an early return tells how much of a guess
// was right, or how long the token is.
func (d tokenDigest) matches(presented string) bool {
	p := sha256.Sum256([]byte(presented))
	return subtle.ConstantTimeCompare(p[:], d[:]) == 1
}
