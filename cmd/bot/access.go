package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/commit-labeler/commit-labeler/adminauth"
	"github.com/commit-labeler/commit-labeler/ghapp"
)

// adminAccess is the access control of --admin and --pprof: the bearer
// token of --admin-token-file, GitHub sign-in at --admin-url through the
// App's OAuth client (GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET, which
// app.env holds after `bot setup`). It refuses to serve either on an
// address other than loopback without access control: the admin page
// would show every installation's repositories, and the profiles every
// repository's work, to whoever reaches it.
func adminAccess(o *options, apiURL string) (adminauth.Config, error) {
	var c adminauth.Config
	if o.adminTokenFile != "" {
		token, err := adminauth.ReadTokenFile(o.adminTokenFile)
		if err != nil {
			return c, fmt.Errorf("--admin-token-file: %w", err)
		}
		c.Token = token
	}
	if o.adminURL != "" {
		if o.adminAddr == "" {
			return c, errors.New("--admin-url: the admin page is off; set --admin HOST:PORT")
		}
		id, secret := os.Getenv(ghapp.EnvClientID), os.Getenv(ghapp.EnvClientSecret)
		if id == "" || secret == "" {
			return c, fmt.Errorf("--admin-url: GitHub sign-in needs the App's %s and %s: `bot setup` writes them to app.env; for an App made otherwise, copy them from its settings page", ghapp.EnvClientID, ghapp.EnvClientSecret)
		}
		webURL, err := ghapp.WebURL(apiURL)
		if err != nil {
			return c, fmt.Errorf("--admin-url: %s: %w", ghapp.EnvAPIURL, err)
		}
		if _, err := adminauth.CallbackURL(o.adminURL); err != nil {
			return c, fmt.Errorf("--admin-url: %w", err)
		}
		c.OAuth = &ghapp.OAuth{ClientID: id, ClientSecret: secret, WebURL: webURL, APIURL: apiURL}
		c.PublicURL = o.adminURL
	}
	if o.adminAddr != "" && !adminauth.Loopback(o.adminAddr) && !c.Configured() {
		return c, fmt.Errorf("--admin %s is not a loopback address and nothing controls access to the page: set --admin-url URL (GitHub sign-in) or --admin-token-file FILE (a bearer token), or listen on 127.0.0.1", o.adminAddr)
	}
	if o.pprofAddr != "" && !adminauth.Loopback(o.pprofAddr) && c.Token == "" {
		return c, fmt.Errorf("--pprof %s is not a loopback address and no token guards the profiles: set --admin-token-file FILE (a bearer token), or listen on 127.0.0.1", o.pprofAddr)
	}
	return c, nil
}
