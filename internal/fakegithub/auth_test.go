package fakegithub

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func signJWT(t testing.TB, key *rsa.PrivateKey, alg string, claims jwtClaims) string {
	t.Helper()
	h, _ := json.Marshal(map[string]string{"alg": alg, "typ": "JWT"})
	c, _ := json.Marshal(claims)
	signed := base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(c)
	digest := sha256.Sum256([]byte(signed))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	return signed + "." + base64.RawURLEncoding.EncodeToString(sig)
}

func TestVerifyJWT(t *testing.T) {
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	now := time.Unix(1_700_000_000, 0)
	good := jwtClaims{IssuedAt: now.Add(-30 * time.Second).Unix(), ExpiresAt: now.Add(90 * time.Second).Unix(), Issuer: "7"}
	with := func(f func(*jwtClaims)) jwtClaims { c := good; f(&c); return c }
	tests := []struct {
		name, token, wantErr string
	}{
		{"valid", signJWT(t, key, "RS256", good), ""},
		{"other key", signJWT(t, other, "RS256", good), "does not match"},
		{"alg none", signJWT(t, key, "none", good), "not RS256"},
		{"other issuer", signJWT(t, key, "RS256", with(func(c *jwtClaims) { c.Issuer = "8" })), `issuer "8"`},
		{"expired", signJWT(t, key, "RS256", with(func(c *jwtClaims) { c.ExpiresAt = now.Unix() })), "expired"},
		{"future iat", signJWT(t, key, "RS256", with(func(c *jwtClaims) { c.IssuedAt = now.Add(2 * time.Minute).Unix() })), "future"},
		{"too long", signJWT(t, key, "RS256", with(func(c *jwtClaims) { c.ExpiresAt = now.Add(time.Hour).Unix() })), "too far"},
		{"two segments", "a.b", "could not be decoded"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := verifyJWT(tt.token, 7, &key.PublicKey, now)
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
		})
	}
}

// FuzzVerifyJWT checks that no Authorization header crashes the server or
// passes without the App's signature.
func FuzzVerifyJWT(f *testing.F) {
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	now := time.Unix(1_700_000_000, 0)
	f.Add(signJWT(f, key, "RS256", jwtClaims{IssuedAt: now.Unix(), ExpiresAt: now.Add(time.Minute).Unix(), Issuer: "7"}))
	f.Add("..")
	f.Add("eyJhbGciOiJSUzI1NiJ9.e30.")
	f.Fuzz(func(t *testing.T, token string) {
		if err := verifyJWT(token, 7, &key.PublicKey, now); err == nil && !strings.HasPrefix(token, "eyJ") {
			t.Fatalf("accepted %q", token)
		}
	})
}
