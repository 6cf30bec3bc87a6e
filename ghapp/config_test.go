package ghapp_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/commit-labeler/commit-labeler/ghapp"
)

// newKeyPEM builds a real RSA key for an App, as GitHub hands it out.
func newKeyPEM(t *testing.T) (*rsa.PrivateKey, []byte) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return key, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
}

func TestConfigFromEnv(t *testing.T) {
	_, keyPEM := newKeyPEM(t)
	keyFile := filepath.Join(t.TempDir(), "app.pem")
	if err := os.WriteFile(keyFile, keyPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	const secretish = "-----BEGIN RSA PRIVATE KEY-----\nTUlJQ1hBSUJBQUtCZ1FD\n-----END RSA PRIVATE KEY-----\n"
	tests := []struct {
		name    string
		env     map[string]string
		wantErr string // substring; "" means success
		wantURL string
	}{
		{name: "inline key, default API", env: map[string]string{"GITHUB_APP_ID": "42", "GITHUB_PRIVATE_KEY": string(keyPEM)}},
		{name: "key file, enterprise API", env: map[string]string{"GITHUB_APP_ID": "42", "GITHUB_PRIVATE_KEY_PATH": keyFile, "GITHUB_API_URL": "https://ghe.example.com/api/v3/"}, wantURL: "https://ghe.example.com/api/v3/"},
		{name: "no app id", env: map[string]string{"GITHUB_PRIVATE_KEY": string(keyPEM)}, wantErr: "GITHUB_APP_ID is not set"},
		{name: "bad app id", env: map[string]string{"GITHUB_APP_ID": "x1", "GITHUB_PRIVATE_KEY": string(keyPEM)}, wantErr: `GITHUB_APP_ID="x1"`},
		{name: "no key", env: map[string]string{"GITHUB_APP_ID": "42"}, wantErr: "neither GITHUB_PRIVATE_KEY_PATH nor GITHUB_PRIVATE_KEY"},
		{name: "both keys", env: map[string]string{"GITHUB_APP_ID": "42", "GITHUB_PRIVATE_KEY": string(keyPEM), "GITHUB_PRIVATE_KEY_PATH": keyFile}, wantErr: "only one of"},
		{name: "missing key file", env: map[string]string{"GITHUB_APP_ID": "42", "GITHUB_PRIVATE_KEY_PATH": keyFile + ".missing"}, wantErr: "GITHUB_PRIVATE_KEY_PATH"},
		{name: "garbage key", env: map[string]string{"GITHUB_APP_ID": "42", "GITHUB_PRIVATE_KEY": secretish}, wantErr: "GITHUB_PRIVATE_KEY: not a PEM-encoded RSA private key"},
		{name: "bad API URL", env: map[string]string{"GITHUB_APP_ID": "42", "GITHUB_PRIVATE_KEY": string(keyPEM), "GITHUB_API_URL": "ftp://x"}, wantErr: "GITHUB_API_URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, name := range []string{"GITHUB_APP_ID", "GITHUB_PRIVATE_KEY", "GITHUB_PRIVATE_KEY_PATH", "GITHUB_API_URL"} {
				t.Setenv(name, tt.env[name])
			}
			cfg, err := ghapp.ConfigFromEnv()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "TUlJ") || strings.Contains(err.Error(), "BEGIN") {
					t.Fatalf("error echoes the key: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cfg.AppID != 42 || string(cfg.PrivateKey) != string(keyPEM) || cfg.APIURL != tt.wantURL {
				t.Fatalf("cfg = {%d, key %d bytes, %q}", cfg.AppID, len(cfg.PrivateKey), cfg.APIURL)
			}
			if _, err := ghapp.New(cfg); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	_, keyPEM := newKeyPEM(t)
	tests := []struct {
		name    string
		cfg     ghapp.Config
		wantErr string
	}{
		{"zero app id", ghapp.Config{PrivateKey: keyPEM}, "app id 0"},
		{"no key", ghapp.Config{AppID: 7}, "app 7: private key: private key is empty"},
		{"key with credentials URL", ghapp.Config{AppID: 7, PrivateKey: keyPEM, APIURL: "https://u:p@ghe.example.com/"}, "must not carry credentials"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ghapp.New(tt.cfg)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), ":p@") {
				t.Fatalf("error echoes the URL password: %v", err)
			}
		})
	}
}
