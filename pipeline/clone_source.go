package pipeline

import (
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
)

// source is one repository to clone.
type source struct {
	// Name is the repository's stable name in the store: owner/name for
	// GitHub-style URLs, the directory name otherwise.
	Name string
	// URL is what git clones from: a URL or an absolute path, never carrying
	// credentials.
	URL string
	// InstallationID is the GitHub App installation whose token authenticates
	// the clone, or 0 for none.
	InstallationID int64
	// Commit, when set, pins the repository: the clone's HEAD is this
	// commit rather than the remote's default branch, so that extract reads
	// the history as of it (a corpus rebuilt from corpus/repos.tsv).
	Commit string
}

// scpLike matches git's scp-like syntax, user@host:path.
var scpLike = regexp.MustCompile(`^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:`)

// parseSource reads a --repo argument: an https, http, ssh, git or file URL,
// an scp-like address or a local path, pinned to a commit by a #COMMIT
// suffix (a full commit id). It rejects http(s) URLs that carry
// credentials, since git would write them into the clone's config.
func parseSource(arg string) (source, error) {
	arg, commit := cutPin(strings.TrimSpace(arg))
	s, err := parseLocation(arg)
	s.Commit = commit
	return s, err
}

// cutPin splits a #COMMIT suffix off arg. A # followed by anything but a
// full commit id stays part of the location.
func cutPin(arg string) (location, commit string) {
	i := strings.LastIndexByte(arg, '#')
	if i < 0 || !isCommitID(strings.ToLower(arg[i+1:])) {
		return arg, ""
	}
	return arg[:i], strings.ToLower(arg[i+1:])
}

// isCommitID reports whether s is a full lower-case commit id: 40 hex
// digits (SHA-1) or 64 (SHA-256).
func isCommitID(s string) bool {
	return (len(s) == 40 || len(s) == 64) && !strings.ContainsFunc(s, func(c rune) bool { return !strings.ContainsRune("0123456789abcdef", c) })
}

// parseLocation reads the location of a --repo argument, its pin cut off.
func parseLocation(arg string) (source, error) {
	switch {
	case arg == "":
		return source{}, errors.New("repository argument is empty")
	case scpLike.MatchString(arg):
		_, path, _ := strings.Cut(arg, ":")
		name, err := remoteName(path)
		if err != nil {
			return source{}, fmt.Errorf("repository %s: %w", arg, err)
		}
		return source{Name: name, URL: arg}, nil
	case !strings.Contains(arg, "://"):
		abs, err := filepath.Abs(arg)
		if err != nil {
			return source{}, fmt.Errorf("repository %s: %w", arg, err)
		}
		name, err := dirName(abs)
		if err != nil {
			return source{}, fmt.Errorf("repository %s: %w", arg, err)
		}
		return source{Name: name, URL: abs}, nil
	}
	shown := redactUserinfo(arg) // for errors: url.Redacted keeps a token given as user name
	u, err := url.Parse(arg)
	if err != nil {
		return source{}, fmt.Errorf("repository %s: not a valid URL", shown)
	}
	switch u.Scheme {
	case "file":
		name, err := dirName(u.Path)
		if err != nil {
			return source{}, fmt.Errorf("repository %s: %w", shown, err)
		}
		return source{Name: name, URL: u.String()}, nil
	case "https", "http":
		if u.User != nil {
			return source{}, fmt.Errorf("repository %s: the URL carries credentials; use --installations or a git credential helper", shown)
		}
	case "ssh", "git":
		if _, has := u.User.Password(); has {
			return source{}, fmt.Errorf("repository %s: the URL carries a password", shown)
		}
	default:
		return source{}, fmt.Errorf("repository %s: unsupported URL scheme %q", shown, u.Scheme)
	}
	if u.Host == "" {
		return source{}, fmt.Errorf("repository %s: the URL has no host", shown)
	}
	name, err := remoteName(u.Path)
	if err != nil {
		return source{}, fmt.Errorf("repository %s: %w", shown, err)
	}
	return source{Name: name, URL: u.String()}, nil
}

// remoteName names a repository by the path of its URL: owner/name when the
// path has two segments (GitHub, GitHub Enterprise), the last segment
// otherwise.
func remoteName(path string) (string, error) {
	segs := strings.FieldsFunc(path, func(r rune) bool { return r == '/' })
	if len(segs) == 0 {
		return "", errors.New("the URL has no repository path")
	}
	last := strings.TrimSuffix(segs[len(segs)-1], ".git")
	if last == "" || last == "." || last == ".." {
		return "", fmt.Errorf("cannot name a repository from the path %q", path)
	}
	if len(segs) == 2 && segs[0] != "." && segs[0] != ".." {
		return segs[0] + "/" + last, nil
	}
	return last, nil
}

// dirName names a local repository by its directory: /src/app, /src/app.git
// and /src/app/.git are all "app".
func dirName(path string) (string, error) {
	p := filepath.Clean(path)
	if filepath.Base(p) == ".git" {
		p = filepath.Dir(p)
	}
	name := strings.TrimSuffix(filepath.Base(p), ".git")
	if name == "" || name == "." || name == ".." || name == string(filepath.Separator) {
		return "", fmt.Errorf("cannot name a repository from the path %q", path)
	}
	return name, nil
}

// redactUserinfo hides whatever sits between "://" and "@" in a URL that
// url.Parse rejected (its error would quote it whole).
func redactUserinfo(raw string) string {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return raw
	}
	host := rest
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		host = rest[:i]
	}
	if at := strings.LastIndex(host, "@"); at >= 0 {
		rest = "xxxxx" + rest[at:]
	}
	return scheme + "://" + rest
}

// cloneDirName is the clone's directory name in the work directory: the name
// with "/" as "__" and anything but letters, digits, ".", "_" and "-" as
// "_", never starting with a dot, then ".git".
func cloneDirName(name string) string {
	var b strings.Builder
	for _, r := range name {
		switch {
		case r == '/':
			b.WriteString("__")
		case r < 128 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-'):
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	s := strings.TrimLeft(b.String(), ".")
	if s == "" {
		s = "_"
	}
	return s + ".git"
}
