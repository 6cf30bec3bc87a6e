package ghapp

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Names of the app.env settings beside those of Config and OAuth.
const (
	EnvWebhookSecret = "GITHUB_WEBHOOK_SECRET"
	// appEnvFile and privateKeyFile are what SaveAppEnv writes in its directory.
	appEnvFile     = "app.env"
	privateKeyFile = "private-key.pem"
)

// DefaultConfigDir is where `bot setup` saves the App's credentials and
// `bot` reads them: $XDG_CONFIG_HOME/commit-labeler (~/.config/commit-labeler).
func DefaultConfigDir() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("config directory: %w", err)
	}
	return filepath.Join(dir, "commit-labeler"), nil
}

// AppCredentials are what GitHub hands back when it creates the App.
type AppCredentials struct {
	AppID         int64
	Slug          string
	PrivateKeyPEM string
	WebhookSecret string
	// ClientID and ClientSecret are the App's OAuth client, with which
	// people sign in to the admin page.
	ClientID, ClientSecret string
	// APIURL is the REST API root; empty for github.com.
	APIURL string
}

// SaveAppEnv writes the credentials to dir (created 0700): the key to
// private-key.pem and the settings to app.env, both mode 0600. app.env is
// KEY=VALUE lines (# comments), the environment variables bot reads:
//
//	GITHUB_APP_ID=12345
//	GITHUB_PRIVATE_KEY_PATH=/home/me/.config/commit-labeler/private-key.pem
//	GITHUB_WEBHOOK_SECRET=...
//	GITHUB_CLIENT_ID=Iv23...                         (when GitHub gave one)
//	GITHUB_CLIENT_SECRET=...
//	GITHUB_API_URL=https://ghe.example.com/api/v3/   (Enterprise Server only)
//
// It returns the app.env path.
func SaveAppEnv(dir string, c AppCredentials) (string, error) {
	if c.AppID <= 0 || c.PrivateKeyPEM == "" || c.WebhookSecret == "" {
		return "", fmt.Errorf("app %q: GitHub's answer lacks the id, key or webhook secret", c.Slug)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("save app credentials: %w", err)
	}
	keyPath := filepath.Join(dir, privateKeyFile)
	if err := writeFile0600(keyPath, []byte(c.PrivateKeyPEM)); err != nil {
		return "", err
	}
	var env strings.Builder
	fmt.Fprintf(&env, "# GitHub App %s, written by `bot setup`. Environment variables override these.\n", c.Slug)
	fmt.Fprintf(&env, "%s=%d\n%s=%s\n%s=%s\n", EnvAppID, c.AppID, EnvPrivateKeyPath, keyPath, EnvWebhookSecret, c.WebhookSecret)
	if c.ClientID != "" && c.ClientSecret != "" {
		fmt.Fprintf(&env, "%s=%s\n%s=%s\n", EnvClientID, c.ClientID, EnvClientSecret, c.ClientSecret)
	}
	if c.APIURL != "" {
		fmt.Fprintf(&env, "%s=%s\n", EnvAPIURL, c.APIURL)
	}
	envPath := filepath.Join(dir, appEnvFile)
	return envPath, writeFile0600(envPath, []byte(env.String()))
}

// writeFile0600 replaces path atomically with a file only its owner reads.
func writeFile0600(path string, data []byte) error {
	return replaceFile0600(path, func(f *os.File) error {
		_, err := f.Write(data)
		return err
	})
}

// replaceFile0600 has write fill a temporary file beside path and renames
// it over path only when its chmod, write and close all succeed: a failed
// or short write of the App's key or app.env leaves the old file, or none,
// never a partial one. write is the seam its tests make fail.
func replaceFile0600(path string, write func(*os.File) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	err = tmp.Chmod(0o600)
	if err == nil {
		err = write(tmp)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// ApplyAppEnv sets the variables of the app.env file `bot setup` wrote
// (path, or the default one) that the environment lacks: the bot and its
// learning worker read the same settings. The default file may be absent;
// a named one must exist.
func ApplyAppEnv(path string) error {
	named := path != ""
	if !named {
		dir, err := DefaultConfigDir()
		if err != nil {
			return nil
		}
		path = AppEnvPath(dir)
	}
	env, err := LoadAppEnv(path)
	if errors.Is(err, fs.ErrNotExist) && !named {
		return nil
	}
	if err != nil {
		return fmt.Errorf("--config: %w", err)
	}
	for k, v := range env {
		if _, set := os.LookupEnv(k); !set {
			os.Setenv(k, v)
		}
	}
	return nil
}

// AppEnvPath returns the app.env path in dir.
func AppEnvPath(dir string) string { return filepath.Join(dir, appEnvFile) }

// LoadAppEnv reads an app.env file. Errors name the line, never its value.
func LoadAppEnv(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	env := map[string]string{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, value, ok := strings.Cut(line, "=")
		if key = strings.TrimSpace(key); !ok || key == "" || strings.ContainsAny(key, " \t") {
			return nil, fmt.Errorf("%s:%d: not a KEY=VALUE line", path, n)
		}
		env[key] = strings.TrimSpace(value)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return env, nil
}
