package pipeline

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/commit-labeler/commit-labeler/classify"
	"github.com/commit-labeler/commit-labeler/store"
)

// MaxStoredFiles is the most files of a commit kept in store.Commit.Files;
// the totals count every file.
const MaxStoredFiles = 100

// gitLogFormat starts every commit of the stream with a header of
// NUL-separated fields: id, author name, author e-mail, strict ISO 8601
// author date and raw message. A line starting with NUL cannot be a diff
// line (those start with a space, +, -, @, \ or a header word), so messages
// and patches cannot be confused.
const gitLogFormat = "--format=%x00%H%x00%an%x00%ae%x00%aI%x00%B%x00"

// gitLogConfig pins every setting that changes the patch text, whatever the
// user's or repository's configuration says.
var gitLogConfig = []string{
	"-c", "core.quotepath=false",
	"-c", "diff.noprefix=false",
	"-c", "diff.mnemonicPrefix=false",
	"-c", "diff.relative=false",
	"-c", "diff.suppressBlankEmpty=false",
	"-c", "log.showSignature=false",
	"-c", "log.showRoot=true",
}

// gitLogArgs are the arguments of the one long-lived git log process per
// repository whose output GitLogParser reads; the commits to show follow on
// standard input. --full-index keeps the patch ids of binary changes the
// same in every clone (abbreviated ids grow with the repository).
func gitLogArgs() []string {
	return append(append([]string{}, gitLogConfig...),
		"log", "--no-walk=unsorted", "--stdin", "--no-merges", "--encoding=UTF-8", gitLogFormat,
		"-p", "-U1", "-M", "--inter-hunk-context=0", "--full-index", "-O/dev/null",
		"--no-color", "--no-ext-diff", "--no-textconv", "--")
}

// GitLogParser reads the output of git log as run by Extract and returns
// one commit at a time. Author names and addresses are only used to set
// AuthorIsBot.
type GitLogParser struct {
	r         *bufio.Reader
	diffLimit int
	long      []byte // a line longer than the reader's buffer
}

// gitLogBuffer is the read buffer, the most a pipe delivers at once; longer
// lines are joined in GitLogParser.long.
const gitLogBuffer = 64 << 10

// NewGitLogParser returns a parser of r keeping diffLimit characters of diff
// text per commit (classify.DiffLimit when diffLimit <= 0).
func NewGitLogParser(r io.Reader, diffLimit int) *GitLogParser {
	if diffLimit <= 0 {
		diffLimit = classify.DiffLimit
	}
	return &GitLogParser{r: bufio.NewReaderSize(r, gitLogBuffer), diffLimit: diffLimit}
}

// Next parses the next commit. It returns io.EOF after the last one and an
// error naming the commit when the stream is malformed or cut short inside a
// commit's header. A commit whose patch is cut short is returned as far as it
// came: only the caller knows whether git finished.
func (p *GitLogParser) Next() (*store.Commit, error) {
	marker, err := p.r.ReadByte()
	if err == io.EOF {
		return nil, io.EOF
	}
	if err != nil {
		return nil, fmt.Errorf("git log: %w", err)
	}
	if marker != 0 {
		line, _ := p.r.ReadSlice('\n')
		return nil, fmt.Errorf("git log: expected a commit header, got %q", shorten(append([]byte{marker}, line...)))
	}
	c, err := p.header()
	if err != nil {
		return nil, err
	}
	if err := p.patch(c); err != nil {
		return nil, fmt.Errorf("git log: commit %s: %w", c.SHA, err)
	}
	return c, nil
}

// header reads the NUL-separated fields after the marker and the end of the
// header line.
func (p *GitLogParser) header() (*store.Commit, error) {
	var fields [5]string
	for i := range fields {
		f, err := p.r.ReadString(0)
		if err != nil {
			name := "unknown"
			if i > 0 {
				name = fields[0]
			}
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return nil, fmt.Errorf("git log: commit %s: header cut short: %w", name, err)
		}
		fields[i] = f[:len(f)-1]
	}
	sha, name, email, date, message := fields[0], fields[1], fields[2], fields[3], fields[4]
	if !isObjectID(sha) {
		return nil, fmt.Errorf("git log: malformed commit id %q", shorten([]byte(sha)))
	}
	if _, err := p.r.ReadSlice('\n'); err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return nil, fmt.Errorf("git log: commit %s: %w", sha, err)
	}
	at, err := time.Parse(time.RFC3339, date)
	if err != nil {
		return nil, fmt.Errorf("git log: commit %s: author date %q: %w", sha, date, err)
	}
	subject, body := classify.SplitMessage(message)
	return &store.Commit{
		SHA:          sha,
		AuthoredAt:   date,
		AuthoredUnix: at.Unix(),
		Subject:      subject,
		Body:         classify.CleanBody(body),
		AuthorIsBot:  classify.IsBotAuthor(name, email),
	}, nil
}

func isObjectID(s string) bool {
	if len(s) != 40 && len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// readLine returns the next line without its newline; the slice is valid
// until the next read.
func (p *GitLogParser) readLine() ([]byte, error) {
	line, err := p.r.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		p.long = append(p.long[:0], line...)
		for err == bufio.ErrBufferFull {
			line, err = p.r.ReadSlice('\n')
			p.long = append(p.long, line...)
		}
		line = p.long
	}
	if err != nil && (err != io.EOF || len(line) == 0) {
		return nil, err
	}
	if n := len(line); n > 0 && line[n-1] == '\n' {
		line = line[:n-1]
	}
	return line, nil
}

// patch reads the patch lines up to the next header or the end of the stream.
func (p *GitLogParser) patch(c *store.Commit) error {
	s := newPatchState(c, p.diffLimit)
	for {
		next, err := p.r.Peek(1)
		if err == io.EOF || (err == nil && next[0] == 0) {
			break
		}
		if err != nil {
			return err
		}
		line, err := p.readLine()
		if err != nil {
			return err
		}
		if err := s.line(line); err != nil {
			return err
		}
	}
	s.finish()
	return nil
}

// patchState accumulates one commit's patch.
type patchState struct {
	c    *store.Commit
	diff *classify.DiffBuilder
	id   patchID
	// cur is the file being read; last the one before, kept to join a type
	// change, which git shows as a deletion followed by an addition.
	cur, last         fileState
	haveCur, haveLast bool
	// oldLeft and newLeft count the lines the current hunk still has.
	oldLeft, newLeft int
	inHunk           bool
}

// fileState is a file being read: paths from the diff --git line and the
// more reliable ---/+++/rename/copy lines.
type fileState struct {
	f                   store.File
	gitOld, gitNew      string
	minusPath, plusPath string
	fromPath, toPath    string
	stored              int // index in c.Files, or -1
	added, deleted      bool
}

func newPatchState(c *store.Commit, diffLimit int) *patchState {
	return &patchState{c: c, diff: classify.NewDiffBuilder(diffLimit), id: newPatchID()}
}

func (s *patchState) line(line []byte) error {
	s.id.line(line)
	if s.inHunk {
		if s.hunkLine(line) {
			s.addText(line)
			return nil
		}
		s.inHunk = false
	}
	switch {
	case len(line) == 0:
		return nil // the blank line between the header and the patch
	case bytes.HasPrefix(line, []byte("diff --git ")):
		s.endFile()
		s.cur = fileState{stored: -1}
		s.cur.gitOld, s.cur.gitNew = splitDiffGitLine(string(line[len("diff --git "):]))
		s.haveCur = true
	case !s.haveCur:
		return fmt.Errorf("unexpected line %q before the first file", shorten(line))
	case bytes.HasPrefix(line, []byte("index ")):
		return nil // dropped from the diff text, as in the corpus
	case bytes.HasPrefix(line, []byte("@@ ")):
		s.oldLeft, s.newLeft, s.inHunk = parseHunkHeader(line)
	case bytes.HasPrefix(line, []byte("--- ")):
		s.cur.minusPath = patchPath(line[4:], "a/")
	case bytes.HasPrefix(line, []byte("+++ ")):
		s.cur.plusPath = patchPath(line[4:], "b/")
	case bytes.HasPrefix(line, []byte("new file mode ")):
		s.cur.added = true
	case bytes.HasPrefix(line, []byte("deleted file mode ")):
		s.cur.deleted = true
	case bytes.HasPrefix(line, []byte("rename from ")), bytes.HasPrefix(line, []byte("copy from ")):
		s.cur.f.Status = "R"
		if line[0] == 'c' {
			s.cur.f.Status = "C"
		}
		_, from, _ := bytes.Cut(line, []byte(" from "))
		s.cur.fromPath = unquotePath(string(from))
	case bytes.HasPrefix(line, []byte("rename to ")), bytes.HasPrefix(line, []byte("copy to ")):
		_, to, _ := bytes.Cut(line, []byte(" to "))
		s.cur.toPath = unquotePath(string(to))
	case bytes.HasPrefix(line, []byte("Binary files ")), bytes.HasPrefix(line, []byte("GIT binary patch")):
		s.cur.f.Binary = true
	}
	s.addText(line)
	return nil
}

// hunkLine counts one line of a hunk and reports whether it belonged to it.
func (s *patchState) hunkLine(line []byte) bool {
	kind := byte(' ')
	if len(line) > 0 {
		kind = line[0]
	}
	switch kind {
	case '+':
		s.cur.f.Additions++
		s.newLeft--
	case '-':
		s.cur.f.Deletions++
		s.oldLeft--
	case ' ':
		s.oldLeft--
		s.newLeft--
	case '\\':
	default:
		return false
	}
	if s.oldLeft <= 0 && s.newLeft <= 0 {
		s.inHunk = false
	}
	return true
}

func (s *patchState) addText(line []byte) {
	if !s.diff.Full() {
		s.diff.AddLine(string(line))
	}
}

// endFile completes the current file: its paths and status, the totals,
// and the stored list.
func (s *patchState) endFile() {
	if !s.haveCur {
		return
	}
	s.haveCur, s.inHunk = false, false
	cur := &s.cur
	f := &cur.f
	switch {
	case f.Status == "R" || f.Status == "C":
		f.OldPath = firstNonEmpty(cur.fromPath, cur.minusPath, cur.gitOld)
		f.Path = firstNonEmpty(cur.toPath, cur.plusPath, cur.gitNew)
	case cur.deleted:
		f.Status = "D"
		f.Path = firstNonEmpty(cur.minusPath, cur.gitOld, cur.gitNew)
	case cur.added:
		f.Status = "A"
		f.Path = firstNonEmpty(cur.plusPath, cur.gitNew, cur.gitOld)
	default:
		f.Status = "M"
		f.Path = firstNonEmpty(cur.plusPath, cur.minusPath, cur.gitNew, cur.gitOld)
	}
	if f.Binary {
		f.Additions, f.Deletions = 0, 0
	}
	s.c.Additions += f.Additions
	s.c.Deletions += f.Deletions
	if s.haveLast && s.last.deleted && cur.added && s.last.f.Path == f.Path {
		s.joinTypeChange()
		return
	}
	s.c.FilesChanged++
	if len(s.c.Files) < MaxStoredFiles {
		cur.stored = len(s.c.Files)
		s.c.Files = append(s.c.Files, *f)
	}
	s.last, s.haveLast = *cur, true
}

// joinTypeChange merges the current file, an addition, into the previous
// deletion of the same path: git log --name-status shows them as one T.
func (s *patchState) joinTypeChange() {
	l := &s.last.f
	l.Status = "T"
	l.Additions += s.cur.f.Additions
	l.Deletions += s.cur.f.Deletions
	l.Binary = l.Binary || s.cur.f.Binary
	if s.last.stored >= 0 {
		s.c.Files[s.last.stored] = *l
	}
	s.haveLast = false
}

func (s *patchState) finish() {
	s.endFile()
	s.c.Diff = s.diff.String()
	s.c.PatchID = s.id.sum()
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// parseHunkHeader reads the line counts of "@@ -a[,b] +c[,d] @@"; a
// malformed header opens no hunk.
func parseHunkHeader(line []byte) (oldLines, newLines int, ok bool) {
	rest, found := bytes.CutPrefix(line, []byte("@@ -"))
	if !found {
		return 0, 0, false
	}
	oldRange, rest, found := bytes.Cut(rest, []byte(" +"))
	if !found {
		return 0, 0, false
	}
	newRange, _, found := bytes.Cut(rest, []byte(" @@"))
	if !found {
		return 0, 0, false
	}
	oldLines, okOld := rangeLines(oldRange)
	newLines, okNew := rangeLines(newRange)
	if !okOld || !okNew {
		return 0, 0, false
	}
	return oldLines, newLines, oldLines > 0 || newLines > 0
}

// rangeLines returns the line count of "start[,count]" (count 1 when absent).
func rangeLines(r []byte) (int, bool) {
	start, count, hasCount := bytes.Cut(r, []byte(","))
	if _, err := strconv.Atoi(string(start)); err != nil {
		return 0, false
	}
	if !hasCount {
		return 1, true
	}
	n, err := strconv.Atoi(string(count))
	return n, err == nil && n >= 0
}

// splitDiffGitLine returns the paths of `diff --git a/X b/Y` without their
// prefixes. Unquoted paths with spaces are ambiguous unless both are equal;
// for renames and copies the header lines give the paths anyway.
func splitDiffGitLine(rest string) (oldPath, newPath string) {
	if strings.HasPrefix(rest, `"`) {
		first, after, ok := unquoteC(rest)
		if !ok {
			return "", ""
		}
		second := strings.TrimPrefix(after, " ")
		if strings.HasPrefix(second, `"`) {
			second, _, _ = unquoteC(second)
		}
		return strings.TrimPrefix(first, "a/"), strings.TrimPrefix(second, "b/")
	}
	if n := len(rest); n%2 == 1 {
		half := n / 2
		if rest[half] == ' ' && strings.HasPrefix(rest, "a/") && strings.HasPrefix(rest[half+1:], "b/") && rest[2:half] == rest[half+3:] {
			return rest[2:half], rest[2:half]
		}
	}
	if i := strings.Index(rest, " b/"); i >= 0 {
		second := rest[i+1:]
		if strings.HasPrefix(second, `"`) {
			second, _, _ = unquoteC(second)
		}
		return strings.TrimPrefix(rest[:i], "a/"), strings.TrimPrefix(second, "b/")
	}
	return "", ""
}

// patchPath returns the path of a ---/+++ line ("" for /dev/null). Git ends
// an unquoted name containing a space with a tab.
func patchPath(name []byte, prefix string) string {
	s := strings.TrimSuffix(string(name), "\t")
	if s == "/dev/null" {
		return ""
	}
	return strings.TrimPrefix(unquotePath(s), prefix)
}

// unquotePath undoes git's C-style quoting of a whole path, if quoted.
func unquotePath(s string) string {
	if !strings.HasPrefix(s, `"`) {
		return s
	}
	if u, rest, ok := unquoteC(s); ok && rest == "" {
		return u
	}
	return s
}

// unquoteC reads one C-quoted string at the start of s (as git's
// unquote_c_style does) and returns it with what follows.
func unquoteC(s string) (value, rest string, ok bool) {
	if !strings.HasPrefix(s, `"`) {
		return "", s, false
	}
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"':
			return b.String(), s[i+1:], true
		case c != '\\':
			b.WriteByte(c)
			continue
		}
		i++
		if i >= len(s) {
			return "", s, false
		}
		switch e := s[i]; e {
		case 'a':
			b.WriteByte('\a')
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'v':
			b.WriteByte('\v')
		case '\\', '"':
			b.WriteByte(e)
		case '0', '1', '2', '3':
			if i+2 >= len(s) {
				return "", s, false
			}
			v, err := strconv.ParseUint(s[i:i+3], 8, 8)
			if err != nil {
				return "", s, false
			}
			b.WriteByte(byte(v))
			i += 2
		default:
			return "", s, false
		}
	}
	return "", s, false
}

// shorten cuts a bad line for an error message.
func shorten(b []byte) string {
	const n = 80
	if len(b) > n {
		return string(b[:n]) + "..."
	}
	return string(b)
}
