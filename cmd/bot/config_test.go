package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/commit-labeler/commit-labeler/internal/fakegithub"
)

// TestBadSettingsExit runs the bot with each setting wrong: it exits 2
// with a message naming the setting and never quoting the secret or key.
func TestBadSettingsExit(t *testing.T) {
	fake := fakegithub.New(t)
	dir := t.TempDir()
	keyPath := filepath.Join(dir, "key.pem")
	os.WriteFile(keyPath, fake.PrivateKeyPEM(), 0o600)
	appEnv := filepath.Join(dir, "app.env")
	os.WriteFile(appEnv, []byte("# from bot setup\nGITHUB_WEBHOOK_SECRET=from-file-secret\nnot a setting\n"), 0o600)
	shortToken := filepath.Join(dir, "short-token")
	os.WriteFile(shortToken, []byte("hush-hush\n"), 0o600)
	client := map[string]string{"GITHUB_CLIENT_ID": "Iv23.client", "GITHUB_CLIENT_SECRET": "hush-hush-client"}
	good := map[string]string{
		"GITHUB_APP_ID": "1", "GITHUB_PRIVATE_KEY_PATH": keyPath, "GITHUB_WEBHOOK_SECRET": "hush-hush", "GITHUB_API_URL": fake.URL,
	}
	tests := []struct {
		name  string
		env   map[string]string
		args  []string
		wants string
	}{
		{"missing secret", map[string]string{"GITHUB_WEBHOOK_SECRET": ""}, nil, "GITHUB_WEBHOOK_SECRET is not set"},
		{"bad app id", map[string]string{"GITHUB_APP_ID": "twelve"}, nil, "GITHUB_APP_ID"},
		{"missing app id", map[string]string{"GITHUB_APP_ID": ""}, nil, "GITHUB_APP_ID is not set"},
		{"unreadable key path", map[string]string{"GITHUB_PRIVATE_KEY_PATH": filepath.Join(dir, "absent.pem")}, nil, "GITHUB_PRIVATE_KEY_PATH"},
		{"key not PEM", map[string]string{"GITHUB_PRIVATE_KEY_PATH": "", "GITHUB_PRIVATE_KEY": "hush-hush-key"}, nil, "GITHUB_PRIVATE_KEY"},
		{"bad API URL", map[string]string{"GITHUB_API_URL": "ftp://x"}, nil, "GITHUB_API_URL"},
		{"bad PORT", map[string]string{"PORT": "http"}, nil, "PORT"},
		{"bad addr flag", nil, []string{"--addr", "nohostport"}, "--addr"},
		{"malformed config file", nil, []string{"--config", appEnv}, appEnv + ":3"},
		{"absent config file", nil, []string{"--config", filepath.Join(dir, "none.env")}, "--config"},
		{"unknown flag", nil, []string{"--nope"}, "nope"},
		{"admin page on every interface, unguarded", nil, []string{"--admin", ":0"},
			"--admin :0 is not a loopback address and nothing controls access to the page: set --admin-url URL (GitHub sign-in) or --admin-token-file FILE"},
		{"admin page on a public address, unguarded", nil, []string{"--admin", "0.0.0.0:0"}, "--admin 0.0.0.0:0 is not a loopback address"},
		{"profiles on every interface, unguarded", nil, []string{"--pprof", "[::]:0"}, "--pprof [::]:0 is not a loopback address and no token guards the profiles"},
		{"profiles opened by GitHub sign-in alone", client, []string{"--admin", "0.0.0.0:0", "--admin-url", "https://admin.example/", "--pprof", "0.0.0.0:0"},
			"--pprof 0.0.0.0:0 is not a loopback address"},
		{"sign-in without the App's OAuth client", nil, []string{"--admin", "0.0.0.0:0", "--admin-url", "https://admin.example/"},
			"--admin-url: GitHub sign-in needs the App's GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET"},
		{"sign-in at no URL", client, []string{"--admin", "0.0.0.0:0", "--admin-url", "admin.example"}, "--admin-url: adminauth: the admin page's public URL"},
		{"sign-in without the page", client, []string{"--admin-url", "https://admin.example/"}, "--admin-url: the admin page is off"},
		{"a short token", nil, []string{"--admin", "0.0.0.0:0", "--admin-token-file", shortToken}, "--admin-token-file: admin token " + shortToken + ": 9 characters"},
		{"an absent token file", nil, []string{"--pprof", "0.0.0.0:0", "--admin-token-file", filepath.Join(dir, "absent-token")}, "--admin-token-file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], append([]string{"--db", filepath.Join(t.TempDir(), "b.db")}, tt.args...)...)
			cmd.Env = append(os.Environ(), envRunAsBot+"=1", "HOME="+dir, "XDG_CONFIG_HOME="+dir, "PORT=", "GITHUB_PRIVATE_KEY=")
			for k, v := range good {
				cmd.Env = append(cmd.Env, k+"="+v)
			}
			for k, v := range tt.env {
				cmd.Env = append(cmd.Env, k+"="+v)
			}
			out, err := cmd.CombinedOutput()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != exitUsage {
				t.Fatalf("exit %v, want %d\n%s", err, exitUsage, out)
			}
			if !strings.Contains(string(out), tt.wants) {
				t.Fatalf("output lacks %q:\n%s", tt.wants, out)
			}
			for _, secret := range []string{"hush-hush", "from-file-secret", "PRIVATE KEY-----"} {
				if strings.Contains(string(out), secret) {
					t.Fatalf("output quotes a secret:\n%s", out)
				}
			}
		})
	}
}
