package pipeline

import (
	"net/url"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseSource(t *testing.T) {
	abs, _ := filepath.Abs("rel/dir")
	const pinned = "0123456789abcdef0123456789abcdef01234567"
	tests := []struct {
		arg, name, url, commit, wantErr string
	}{
		{arg: "https://github.com/octo-org/app.git", name: "octo-org/app", url: "https://github.com/octo-org/app.git"},
		{arg: "https://ghe.example.com/octo-org/app", name: "octo-org/app", url: "https://ghe.example.com/octo-org/app"},
		{arg: "https://gitlab.example.com/group/sub/app.git", name: "app", url: "https://gitlab.example.com/group/sub/app.git"},
		{arg: "ssh://git@github.com/octo-org/app.git", name: "octo-org/app", url: "ssh://git@github.com/octo-org/app.git"},
		{arg: "git@github.com:octo-org/app.git", name: "octo-org/app", url: "git@github.com:octo-org/app.git"},
		{arg: "file:///srv/git/app.git", name: "app", url: "file:///srv/git/app.git"},
		{arg: "/src/app/.git", name: "app", url: "/src/app/.git"},
		{arg: " /src/app/ ", name: "app", url: "/src/app"},
		{arg: "rel/dir", name: "dir", url: abs},
		{arg: "https://github.com/octo-org/app.git#" + pinned, name: "octo-org/app", url: "https://github.com/octo-org/app.git", commit: pinned},
		{arg: "rel/dir#" + strings.ToUpper(pinned), name: "dir", url: abs, commit: pinned},
		{arg: "/src/app#1", name: "app#1", url: "/src/app#1"},
		{arg: "", wantErr: "empty"},
		{arg: "https://x-access-token:ghs_secret@github.com/o/r.git", wantErr: "carries credentials"},
		{arg: "https://ghs_secret@github.com/o/r.git", wantErr: "carries credentials"},
		{arg: "ssh://git:pw@github.com/o/r.git", wantErr: "carries a password"},
		{arg: "ftp://example.com/o/r.git", wantErr: `unsupported URL scheme "ftp"`},
		{arg: "https:///o/r.git", wantErr: "no host"},
		{arg: "https://github.com/", wantErr: "no repository path"},
		{arg: "https://user:ghs_secret@github.com/%zz", wantErr: "not a valid URL"},
		{arg: "file:///", wantErr: "cannot name"},
	}
	for _, tt := range tests {
		t.Run(tt.arg, func(t *testing.T) {
			got, err := parseSource(tt.arg)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "ghs_secret") || strings.Contains(err.Error(), ":pw@") {
					t.Fatalf("error echoes the credential: %v", err)
				}
				return
			}
			if err != nil || got.Name != tt.name || got.URL != tt.url || got.Commit != tt.commit {
				t.Fatalf("parseSource = %+v, %v; want name %q, url %q, commit %q", got, err, tt.name, tt.url, tt.commit)
			}
		})
	}
}

func TestCloneDirName(t *testing.T) {
	for name, want := range map[string]string{
		"octo-org/app":  "octo-org__app.git",
		"app_v2.x":      "app_v2.x.git",
		"..":            "_.git",
		".hidden":       "hidden.git",
		"dépôt ~ copie": "d_p_t___copie.git",
	} {
		if got := cloneDirName(name); got != want {
			t.Errorf("cloneDirName(%q) = %q, want %q", name, got, want)
		}
	}
}

// FuzzParseSource checks that no argument panics, yields a nameless source,
// an http(s) URL with credentials, or a clone directory outside the work
// directory.
func FuzzParseSource(f *testing.F) {
	for _, s := range []string{"https://github.com/o/r.git", "git@h:o/r", "file:///a/b.git", "../x", "https://u:p@h/o/r", "/", "http@h:o"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, arg string) {
		s, err := parseSource(arg)
		if err != nil {
			return
		}
		if s.Name == "" {
			t.Fatalf("%q: empty name", arg)
		}
		if u, err := url.Parse(s.URL); err == nil && strings.HasPrefix(u.Scheme, "http") && u.User != nil {
			t.Fatalf("%q: URL %q keeps credentials", arg, s.URL)
		}
		dir := cloneDirName(s.Name)
		if strings.ContainsAny(dir, `/\`) || strings.HasPrefix(dir, ".") {
			t.Fatalf("%q: clone directory %q", arg, dir)
		}
	})
}
