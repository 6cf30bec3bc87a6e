package pipeline

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"hash"
	"strings"
)

// patchID computes the id of a commit's patch exactly as `git patch-id
// --stable` does over the same patch text: header and hunk lines with all
// whitespace removed, hunk line numbers and index lines ignored (binary
// files hashed by their blob ids), one SHA-1 per file summed so that file
// order does not matter. The same change cherry-picked or copied into a fork
// gets the same id, which lets stride drop duplicates.
type patchID struct {
	h       hash.Hash
	result  [sha1.Size]byte
	length  int
	before  int
	after   int
	binary  bool
	stopped bool
	pre     []byte
	post    []byte
	scratch []byte
	digest  []byte
}

func newPatchID() patchID {
	return patchID{h: sha1.New(), before: -1, after: -1}
}

// line feeds one patch line (without its newline), following get_one_patchid
// of git's builtin/patch-id.c.
func (p *patchID) line(line []byte) {
	if p.stopped {
		return
	}
	if bytes.HasPrefix(line, []byte(`\ `)) && len(line)+1 > 12 {
		return // "\ No newline at end of file"
	}
	if p.length == 0 && !bytes.HasPrefix(line, []byte("diff ")) {
		return
	}
	if p.before == -1 {
		switch {
		case bytes.HasPrefix(line, []byte("GIT binary patch")), bytes.HasPrefix(line, []byte("Binary files")):
			p.binary = true
			p.before = 0
			p.h.Write(p.pre)
			p.h.Write(p.post)
			p.flush()
			return
		case bytes.HasPrefix(line, []byte("index ")):
			rest := line[len("index "):]
			if pre, post, ok := bytes.Cut(rest, []byte("..")); ok {
				post, _, _ = bytes.Cut(post, []byte(" "))
				p.pre = append(p.pre[:0], pre...)
				p.post = append(p.post[:0], post...)
			}
			return
		case bytes.HasPrefix(line, []byte("--- ")):
			p.before, p.after = 1, 1
		case len(line) == 0 || !isAlpha(line[0]):
			p.stopped = true
			return
		}
	}
	if p.binary {
		if bytes.HasPrefix(line, []byte("diff ")) {
			p.binary = false
			p.before = -1
		}
		return
	}
	if p.before == 0 && p.after == 0 {
		if bytes.HasPrefix(line, []byte("@@ -")) {
			p.before, p.after = scanHunkHeader(line)
			return
		}
		if !bytes.HasPrefix(line, []byte("diff ")) {
			p.stopped = true
			return
		}
		p.flush()
		p.before, p.after = -1, -1
	}
	if len(line) > 0 {
		switch line[0] {
		case '-':
			p.before--
		case '+':
			p.after--
		case ' ':
			p.before--
			p.after--
		}
	}
	if cap(p.scratch) < len(line) {
		p.scratch = make([]byte, len(line))
	}
	kept := p.scratch[:len(line)]
	n := 0
	for _, c := range line {
		kept[n] = c
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			n++
		}
	}
	p.length += n
	p.h.Write(kept[:n])
}

// flush adds the current file's hash to the result, byte-wise with carry.
func (p *patchID) flush() {
	p.digest = p.h.Sum(p.digest[:0])
	p.h.Reset()
	carry := 0
	for i := range p.result {
		carry += int(p.result[i]) + int(p.digest[i])
		p.result[i] = byte(carry)
		carry >>= 8
	}
}

// sum returns the hex id, or "" for a commit without a patch (git patch-id
// prints nothing for those).
func (p *patchID) sum() string {
	if p.length == 0 {
		return ""
	}
	p.flush()
	return hex.EncodeToString(p.result[:])
}

func isAlpha(c byte) bool { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }

// scanHunkHeader returns the line counts of a hunk header as git's
// scan_hunk_header does (1 when a count is absent, 0 when unreadable).
func scanHunkHeader(line []byte) (before, after int) {
	q := line[len("@@ -"):]
	n := digitsPrefix(q)
	if n < len(q) && q[n] == ',' {
		q = q[n+1:]
		before = atoiPrefix(q)
		n = digitsPrefix(q)
	} else {
		before = 1
	}
	if n == 0 || n+1 >= len(q) || q[n] != ' ' || q[n+1] != '+' {
		return before, 0
	}
	r := q[n+2:]
	n = digitsPrefix(r)
	if n < len(r) && r[n] == ',' {
		r = r[n+1:]
		return before, atoiPrefix(r)
	}
	return before, 1
}

func digitsPrefix(b []byte) int {
	n := 0
	for n < len(b) && b[n] >= '0' && b[n] <= '9' {
		n++
	}
	return n
}

func atoiPrefix(b []byte) int {
	v := 0
	for _, c := range b[:digitsPrefix(b)] {
		v = v*10 + int(c-'0')
		if v > 1<<30 {
			return 1 << 30
		}
	}
	return v
}

// diffTextPatchID is the patch id of a stored diff text (imported corpora
// have no full patch). The text may be cut, so the id is only comparable
// with ids of diff texts cut the same way; that still catches fork copies
// and cherry-picks within an imported corpus.
func diffTextPatchID(diff string) string {
	id := newPatchID()
	for line := range strings.SplitSeq(diff, "\n") {
		id.line([]byte(line))
	}
	return id.sum()
}
