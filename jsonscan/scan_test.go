package jsonscan

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// validityCases are documents on both sides of json.Valid's line.
var validityCases = []string{
	``, ` `, `{}`, `[]`, `""`, `0`, `-0`, `01`, `-`, `1.`, `1.5`, `.5`, `1e5`, `1E+5`, `1e-5`, `1e`, `1e+`,
	`-01`, `123456789012345678901234567890`, `true`, `tru`, `truex`, `false`, `null`, `nul`, `NaN`,
	`{"a":1}`, `{"a":1,}`, `{"a" 1}`, `{a:1}`, `{"a":1 "b":2}`, `[1,2,]`, `[,1]`, `[1 2]`, `[1,[2,[3]]]`,
	`"a\"b"`, `"\u00e9"`, `"\u00g9"`, `"\u00e"`, `"\x"`, `"\/\b\f\n\r\t\\"`, "\"tab\there\"", "\"nl\nhere\"",
	"\"\x7f\xff\xfe\"", `"unterminated`, `"a\`, ` {"a" : [ 1 , { "b" : null } ] } `, `{} {}`, `{}x`,
	"\ufeff{}", `{"a":{"b":{"c":{}}}}`, `[[[[[[[[]]]]]]]]`,
	strings.Repeat("[", maxDepth) + strings.Repeat("]", maxDepth),
	strings.Repeat("[", maxDepth+1) + strings.Repeat("]", maxDepth+1),
	strings.Repeat(`{"a":`, maxDepth+1) + "1" + strings.Repeat("}", maxDepth+1),
}

func TestValidAgreesWithEncodingJSON(t *testing.T) {
	for _, doc := range validityCases {
		if got, want := Valid([]byte(doc)), json.Valid([]byte(doc)); got != want {
			t.Errorf("Valid(%.40q) = %v, json.Valid says %v", doc, got, want)
		}
	}
}

func TestMembers(t *testing.T) {
	doc := ` {"action" : "opened", "n":[1,{"x":2}], "\u0041ction":null, "o":{"action":"inner"}} `
	var got []string
	err := Members([]byte(doc), func(key, value []byte) error {
		got = append(got, string(key)+"="+string(value))
		return nil
	})
	want := []string{`"action"="opened"`, `"n"=[1,{"x":2}]`, `"\u0041ction"=null`, `"o"={"action":"inner"}`}
	if err != nil || strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("members %q, %v; want %q", got, err, want)
	}
	for _, tc := range []struct {
		doc  string
		want error
	}{
		{`[1]`, ErrNotObject},
		{`"s"`, ErrNotObject},
		{`[1`, new(SyntaxError)},
		{`{"a":1} x`, new(SyntaxError)},
		{`{"a":}`, new(SyntaxError)},
	} {
		err := Members([]byte(tc.doc), func(key, value []byte) error { return nil })
		var syn *SyntaxError
		if errors.Is(tc.want, ErrNotObject) && !errors.Is(err, ErrNotObject) ||
			!errors.Is(tc.want, ErrNotObject) && !errors.As(err, &syn) {
			t.Errorf("Members(%q) = %v, want %T", tc.doc, err, tc.want)
		}
	}
	stop := errors.New("stop")
	calls := 0
	if err := Members([]byte(`{"a":1,"b":2}`), func(key, value []byte) error { calls++; return stop }); err != stop || calls != 1 {
		t.Fatalf("a member's error: %v after %d calls", err, calls)
	}
}

func TestKeyIs(t *testing.T) {
	for _, tc := range []struct {
		raw, name string
		want      bool
	}{
		{`"action"`, "action", true},
		{`"Action"`, "action", true},
		{`"\u0061ction"`, "action", true},
		{`"actions"`, "action", false},
		{`"act\"ion"`, "action", false},
		{`""`, "action", false},
	} {
		if got := KeyIs([]byte(tc.raw), tc.name); got != tc.want {
			t.Errorf("KeyIs(%s, %q) = %v", tc.raw, tc.name, got)
		}
	}
}

// FuzzValid holds the scanner to json.Valid, and Members to the members a
// generic decode finds.
func FuzzValid(f *testing.F) {
	for _, doc := range validityCases[:len(validityCases)-3] {
		f.Add([]byte(doc))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		want := json.Valid(doc)
		if got := Valid(doc); got != want {
			t.Fatalf("Valid(%q) = %v, json.Valid says %v", doc, got, want)
		}
		n := 0
		err := Members(doc, func(key, value []byte) error {
			n++
			if !json.Valid(key) || !json.Valid(value) {
				t.Fatalf("member %q: %q is not a JSON value", key, value)
			}
			return nil
		})
		var obj map[string]json.RawMessage
		isObject := json.Unmarshal(doc, &obj) == nil && obj != nil // null decodes to a nil map
		switch {
		case !want && err == nil:
			t.Fatalf("Members accepted invalid %q", doc)
		case isObject && (err != nil || n < len(obj)):
			t.Fatalf("Members(%q): %v, %d members, decoded %d", doc, err, n, len(obj))
		case want && !isObject && !errors.Is(err, ErrNotObject):
			t.Fatalf("Members(%q) = %v for a valid non-object", doc, err)
		}
	})
}
