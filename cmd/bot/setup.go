package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/google/go-github/v93/github"

	commitlabeler "github.com/commit-labeler/commit-labeler"
	"github.com/commit-labeler/commit-labeler/adminauth"
	"github.com/commit-labeler/commit-labeler/delivery"
	"github.com/commit-labeler/commit-labeler/ghapp"
)

// runSetup serves the manifest flow on a local page until the App is
// created and its credentials saved.
func runSetup(ctx context.Context, args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("bot setup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:3000", "address of the local setup page")
	manifestPath := fs.String("manifest", "", "App manifest file in app.yml's format (default: the app.yml built into bot)")
	webhookURL := fs.String("webhook-url", "", "public URL of the bot's "+delivery.PathWebhooks+" (default: the manifest's hook_attributes.url)")
	githubURL := fs.String("github-url", "", "GitHub's web root (default: from "+ghapp.EnvAPIURL+", https://github.com/)")
	org := fs.String("org", "", "create the App in this organization instead of your account")
	outDir := fs.String("out", "", "directory of app.env and private-key.pem (default ~/.config/commit-labeler)")
	adminURL := fs.String("admin-url", "", "public URL of the admin page (bot --admin-url): GitHub sign-in's callback there becomes one of the App's callback URLs (default: none)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return exitUsage
	}
	if err := setup(ctx, *addr, *manifestPath, *webhookURL, *githubURL, *org, *outDir, *adminURL, stderr); err != nil {
		fmt.Fprintf(stderr, "bot setup: %v\n", err)
		return exitFailure
	}
	return 0
}

func setup(ctx context.Context, addr, manifestPath, webhookURL, githubURL, org, outDir, adminURL string, stderr io.Writer) error {
	manifest, err := loadManifest(manifestPath)
	if err != nil {
		return err
	}
	if webhookURL != "" {
		manifest.HookAttributes.URL = webhookURL
	}
	if adminURL != "" {
		callback, err := adminauth.CallbackURL(adminURL)
		if err != nil {
			return fmt.Errorf("--admin-url: %w", err)
		}
		manifest.CallbackURLs = append(manifest.CallbackURLs, callback)
	}
	apiURL := os.Getenv(ghapp.EnvAPIURL)
	if githubURL == "" {
		if githubURL, err = ghapp.WebURL(apiURL); err != nil {
			return fmt.Errorf("%s: %w", ghapp.EnvAPIURL, err)
		}
	}
	if outDir == "" {
		if outDir, err = ghapp.DefaultConfigDir(); err != nil {
			return err
		}
	}
	apiRoot := apiURL
	if apiRoot == "" {
		apiRoot = ghapp.DefaultAPIURL
	}
	api, err := github.NewClient(github.WithURLs(&apiRoot, nil))
	if err != nil {
		return fmt.Errorf("%s: %w", ghapp.EnvAPIURL, err)
	}
	done := make(chan string, 1)
	flow := &ghapp.ManifestFlow{Manifest: manifest, WebURL: githubURL, Org: org, API: api,
		Done: func(cfg *github.AppConfig) error {
			path, err := ghapp.SaveAppEnv(outDir, ghapp.AppCredentials{AppID: cfg.GetID(), Slug: cfg.GetSlug(),
				PrivateKeyPEM: cfg.GetPEM(), WebhookSecret: cfg.GetWebhookSecret(), ClientID: cfg.GetClientID(),
				ClientSecret: cfg.GetClientSecret(), APIURL: apiURL})
			if err == nil {
				done <- path
			}
			return err
		}}
	handler, err := flow.Handler()
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("--addr %s: %w", addr, err)
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()
	fmt.Fprintf(stderr, "Open http://%s/ in a browser to create the GitHub App %q on %s\n", ln.Addr(), manifest.Name, githubURL)
	select {
	case path := <-done:
		fmt.Fprintf(stderr, "Saved the App's credentials to %s (mode 0600); `bot` reads them from there.\n", path)
		time.Sleep(200 * time.Millisecond) // let the callback page reach the browser
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// loadManifest parses the manifest file path, or the built-in app.yml
// when path is empty.
func loadManifest(path string) (*ghapp.Manifest, error) {
	if path == "" {
		manifest, err := ghapp.ParseManifest(commitlabeler.AppManifest())
		if err != nil {
			return nil, fmt.Errorf("built-in app.yml: %w", err)
		}
		return manifest, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--manifest: %w", err)
	}
	manifest, err := ghapp.ParseManifest(data)
	if err != nil {
		return nil, fmt.Errorf("--manifest %s: %w", path, err)
	}
	return manifest, nil
}
