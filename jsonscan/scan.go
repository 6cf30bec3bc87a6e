// Package jsonscan validates JSON and walks an object's members in one pass
// over the bytes, without decoding them: the delivery intake and the event
// handlers read GitHub's payloads with it (PickMembers).
//
// The bot receives payloads of tens of kB and needs a handful of their
// fields: encoding/json validates the whole document with a byte-at-a-time
// state machine before decoding (about 170 MB/s here), then scans it again
// to skip what the target does not hold. This scanner accepts exactly what
// json.Valid accepts (the fuzz test holds it to that) at several times the
// speed, so that a payload is scanned once and only the members wanted are
// handed to encoding/json.
package jsonscan

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// maxDepth is encoding/json's nesting limit: deeper documents are invalid.
const maxDepth = 10000

// SyntaxError is invalid JSON, located by byte offset.
type SyntaxError struct {
	// Offset is where the scan stopped: the byte that broke the grammar, or
	// the length of a truncated document.
	Offset int
	msg    string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("%s at byte %d", e.msg, e.Offset) }

// Valid reports whether data is one JSON value, as json.Valid does.
func Valid(data []byte) bool {
	s := scanner{data: data}
	return s.document() == nil
}

// Members validates data, a JSON object, and calls fn with the raw key (in
// its quotes, escapes kept: see KeyIs) and the raw value of each top-level
// member, in order. A document that is not valid JSON gives a *SyntaxError;
// one that is valid but not an object gives ErrNotObject. An error from fn
// ends the walk and is returned as it is.
func Members(data []byte, fn func(key, value []byte) error) error {
	s := scanner{data: data, members: fn}
	return s.document()
}

// ErrNotObject is a valid document whose value is not an object.
var ErrNotObject = fmt.Errorf("jsonscan: not a JSON object")

// scanner is one pass over data.
type scanner struct {
	data  []byte
	pos   int
	depth int
	// members, when set, receives the top-level object's members.
	members func(key, value []byte) error
}

func (s *scanner) fail(msg string) error {
	return &SyntaxError{Offset: s.pos, msg: msg}
}

// document scans one value between optional whitespace.
func (s *scanner) document() error {
	s.skipSpace()
	if s.members != nil && (s.pos >= len(s.data) || s.data[s.pos] != '{') {
		if err := s.value(); err != nil {
			return err
		}
		if s.skipSpace(); s.pos != len(s.data) {
			return s.fail("data after the top-level value")
		}
		return ErrNotObject
	}
	if err := s.value(); err != nil {
		return err
	}
	if s.skipSpace(); s.pos != len(s.data) {
		return s.fail("data after the top-level value")
	}
	return nil
}

func (s *scanner) skipSpace() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

func (s *scanner) value() error {
	if s.pos >= len(s.data) {
		return s.fail("unexpected end of JSON input")
	}
	switch c := s.data[s.pos]; {
	case c == '{':
		return s.object()
	case c == '[':
		return s.array()
	case c == '"':
		return s.string()
	case c == '-' || ('0' <= c && c <= '9'):
		return s.number()
	case c == 't':
		return s.literal("true")
	case c == 'f':
		return s.literal("false")
	case c == 'n':
		return s.literal("null")
	}
	return s.fail("invalid character looking for a value")
}

func (s *scanner) literal(word string) error {
	if !bytes.HasPrefix(s.data[s.pos:], []byte(word)) {
		for i := 0; i < len(word) && s.pos < len(s.data); i++ {
			if s.data[s.pos] != word[i] {
				return s.fail("invalid character in literal " + word)
			}
			s.pos++
		}
		return s.fail("unexpected end of JSON input")
	}
	s.pos += len(word)
	return nil
}

// open enters a container at its opening byte and reports whether it is
// empty (its closing byte came next and is consumed).
func (s *scanner) open(closing byte) (empty bool, err error) {
	if s.depth++; s.depth > maxDepth {
		return false, s.fail("exceeded max depth")
	}
	s.pos++
	s.skipSpace()
	if s.pos < len(s.data) && s.data[s.pos] == closing {
		s.pos++
		s.depth--
		return true, nil
	}
	return false, nil
}

// next scans what follows a container's element: a comma (more follow) or
// the closing byte (done).
func (s *scanner) next(closing byte, after string) (done bool, err error) {
	s.skipSpace()
	if s.pos >= len(s.data) {
		return false, s.fail("unexpected end of JSON input")
	}
	switch s.data[s.pos] {
	case ',':
		s.pos++
		s.skipSpace()
		return false, nil
	case closing:
		s.pos++
		s.depth--
		return true, nil
	}
	return false, s.fail("invalid character after " + after)
}

func (s *scanner) object() error {
	top := s.depth == 0 && s.members != nil
	if empty, err := s.open('}'); empty || err != nil {
		return err
	}
	for {
		if s.pos >= len(s.data) {
			return s.fail("unexpected end of JSON input")
		}
		if s.data[s.pos] != '"' {
			return s.fail("invalid character looking for beginning of object key string")
		}
		keyStart := s.pos
		if err := s.string(); err != nil {
			return err
		}
		key := s.data[keyStart:s.pos]
		s.skipSpace()
		if s.pos >= len(s.data) {
			return s.fail("unexpected end of JSON input")
		}
		if s.data[s.pos] != ':' {
			return s.fail("invalid character after object key")
		}
		s.pos++
		s.skipSpace()
		valueStart := s.pos
		if err := s.value(); err != nil {
			return err
		}
		if top {
			if err := s.members(key, s.data[valueStart:s.pos]); err != nil {
				return err
			}
		}
		if done, err := s.next('}', "object key:value pair"); done || err != nil {
			return err
		}
	}
}

func (s *scanner) array() error {
	if empty, err := s.open(']'); empty || err != nil {
		return err
	}
	for {
		if err := s.value(); err != nil {
			return err
		}
		if done, err := s.next(']', "array element"); done || err != nil {
			return err
		}
	}
}

// plainString marks the bytes a string holds as they are: not '"', not
// '\\', not a control character.
var plainString = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// string scans a string from its opening quote. Like encoding/json, it
// leaves UTF-8 unchecked (decoding replaces invalid bytes).
func (s *scanner) string() error {
	s.pos++ // "
	data := s.data
	for {
		i := plainRun(data, s.pos)
		for i < len(data) && plainString[data[i]] {
			i++
		}
		s.pos = i
		if i >= len(data) {
			return s.fail("unexpected end of JSON input")
		}
		switch data[i] {
		case '"':
			s.pos++
			return nil
		case '\\':
			if err := s.escape(); err != nil {
				return err
			}
		default:
			return s.fail("invalid character in string literal")
		}
	}
}

// SWAR constants: a byte repeated in each of a word's eight lanes.
const (
	lanes01   = 0x0101010101010101
	lanes80   = 0x8080808080808080
	lanesQ    = '"' * lanes01
	lanesBS   = '\\' * lanes01
	lanesCtrl = 0x20 * lanes01
)

// plainRun skips plain string bytes eight at a time from i and returns
// where a word holding a quote, a backslash or a control character (or the
// last partial word) starts. Strings in payloads are mostly URLs, so this
// is most of the scan.
func plainRun(data []byte, i int) int {
	for ; i+8 <= len(data); i += 8 {
		w := binary.LittleEndian.Uint64(data[i:])
		// A lane is flagged when it is 0 after the xor (quote, backslash)
		// or below 0x20; the high bit of a lane already set in w is
		// masked out so bytes 0x80-0xff never flag.
		q, b := w^lanesQ, w^lanesBS
		special := ((q - lanes01) &^ q) | ((b - lanes01) &^ b) | ((w - lanesCtrl) &^ w)
		if special&lanes80 != 0 {
			return i
		}
	}
	return i
}

// escape scans a backslash escape.
func (s *scanner) escape() error {
	s.pos++ // backslash
	if s.pos >= len(s.data) {
		return s.fail("unexpected end of JSON input")
	}
	switch s.data[s.pos] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		s.pos++
		return nil
	case 'u':
		s.pos++
		for range 4 {
			if s.pos >= len(s.data) {
				return s.fail("unexpected end of JSON input")
			}
			if !isHex(s.data[s.pos]) {
				return s.fail("invalid character in \\u hexadecimal character escape")
			}
			s.pos++
		}
		return nil
	}
	return s.fail("invalid character in string escape code")
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// number scans -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (s *scanner) number() error {
	if s.data[s.pos] == '-' {
		s.pos++
	}
	switch {
	case s.pos >= len(s.data):
		return s.fail("unexpected end of JSON input")
	case s.data[s.pos] == '0':
		s.pos++
	case '1' <= s.data[s.pos] && s.data[s.pos] <= '9':
		s.digits()
	default:
		return s.fail("invalid character in numeric literal")
	}
	if s.pos < len(s.data) && s.data[s.pos] == '.' {
		s.pos++
		if err := s.someDigits(); err != nil {
			return err
		}
	}
	if s.pos < len(s.data) && (s.data[s.pos] == 'e' || s.data[s.pos] == 'E') {
		s.pos++
		if s.pos < len(s.data) && (s.data[s.pos] == '+' || s.data[s.pos] == '-') {
			s.pos++
		}
		if err := s.someDigits(); err != nil {
			return err
		}
	}
	return nil
}

func (s *scanner) digits() {
	for s.pos < len(s.data) && '0' <= s.data[s.pos] && s.data[s.pos] <= '9' {
		s.pos++
	}
}

// someDigits scans one or more digits.
func (s *scanner) someDigits() error {
	start := s.pos
	if s.digits(); s.pos == start {
		if s.pos >= len(s.data) {
			return s.fail("unexpected end of JSON input")
		}
		return s.fail("invalid character in numeric literal")
	}
	return nil
}
