package gittest

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// FastImport builds a git fast-import stream, the fast way to write
// hundreds or thousands of commits (one process instead of several per commit).
type FastImport struct {
	buf  bytes.Buffer
	mark int
}

// FileChange is one file operation of an imported commit.
type FileChange struct {
	Path    string
	Content string
	// Mode is "100644" when empty; "100755" makes the file executable and
	// "120000" a symlink to Content.
	Mode string
	// Delete removes Path; Content and Mode are ignored.
	Delete bool
}

// ImportCommit is one commit of a fast-import stream.
type ImportCommit struct {
	// Ref is the branch written, refs/heads/main when empty.
	Ref string
	// Name and Email are author and committer, AuthorName and AuthorEmail
	// when empty.
	Name, Email string
	// At is the author and committer date, in At's zone.
	At time.Time
	// Message is the commit message; a final newline is added.
	Message string
	// From and Merge are the marks of the parents (0: none). The tree starts
	// from From's; Changes apply on top.
	From, Merge int
	Changes     []FileChange
}

// Commit appends c to the stream and returns its mark.
func (s *FastImport) Commit(c ImportCommit) int {
	s.mark++
	if c.Ref == "" {
		c.Ref = "refs/heads/main"
	}
	if c.Name == "" {
		c.Name, c.Email = AuthorName, AuthorEmail
	}
	ident := fmt.Sprintf("%s <%s> %d %s", c.Name, c.Email, c.At.Unix(), c.At.Format("-0700"))
	message := c.Message + "\n"
	fmt.Fprintf(&s.buf, "commit %s\nmark :%d\nauthor %s\ncommitter %s\ndata %d\n%s\n", c.Ref, s.mark, ident, ident, len(message), message)
	if c.From != 0 {
		fmt.Fprintf(&s.buf, "from :%d\n", c.From)
	}
	if c.Merge != 0 {
		fmt.Fprintf(&s.buf, "merge :%d\n", c.Merge)
	}
	for _, ch := range c.Changes {
		if ch.Delete {
			fmt.Fprintf(&s.buf, "D %s\n", quotePath(ch.Path))
			continue
		}
		mode := ch.Mode
		if mode == "" {
			mode = "100644"
		}
		fmt.Fprintf(&s.buf, "M %s inline %s\ndata %d\n%s\n", mode, quotePath(ch.Path), len(ch.Content), ch.Content)
	}
	s.buf.WriteString("\n")
	return s.mark
}

// Run imports the stream into the repository at dir (a work tree or a bare
// repository) and returns the commit ids by mark.
func (s *FastImport) Run(t testing.TB, dir string) map[int]string {
	t.Helper()
	shas, err := s.Import(dir)
	if err != nil {
		t.Fatal(err)
	}
	return shas
}

// Import is Run for callers outside a test (the bench command): it imports
// the stream into the repository at dir and returns the commit ids by mark.
func (s *FastImport) Import(dir string) (map[int]string, error) {
	tmp, err := os.MkdirTemp("", "fast-import-marks")
	if err != nil {
		return nil, fmt.Errorf("gittest: %w", err)
	}
	defer os.RemoveAll(tmp)
	marks := filepath.Join(tmp, "marks")
	cmd := exec.Command("git", "-C", dir, "fast-import", "--quiet", "--date-format=raw", "--export-marks="+marks)
	cmd.Env = Env()
	cmd.Stdin = &s.buf
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("gittest: git fast-import in %s: %w\n%s", dir, err, out)
	}
	data, err := os.ReadFile(marks)
	if err != nil {
		return nil, fmt.Errorf("gittest: %w", err)
	}
	shas := make(map[int]string)
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		mark, sha, _ := strings.Cut(line, " ")
		n, err := strconv.Atoi(strings.TrimPrefix(mark, ":"))
		if err != nil {
			return nil, fmt.Errorf("gittest: marks line %q", line)
		}
		shas[n] = sha
	}
	return shas, nil
}

// quotePath quotes a fast-import path the way git's C-style quoting does
// when it holds a quote, a backslash or a newline.
func quotePath(p string) string {
	if !strings.ContainsAny(p, "\"\\\n") {
		return p
	}
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return `"` + r.Replace(p) + `"`
}
