package jsonscan

import (
	"bytes"
	"encoding/json"
	"strings"
)

// KeyIs reports whether raw, a member's key as Members passes it, names the
// struct field tagged name the way encoding/json matches it: escapes undone,
// letter case ignored.
func KeyIs(raw []byte, name string) bool {
	if len(raw) < 2 {
		return false
	}
	inner := raw[1 : len(raw)-1]
	if bytes.IndexByte(inner, '\\') < 0 {
		return bytes.EqualFold(inner, []byte(name))
	}
	var key string
	if err := json.Unmarshal(raw, &key); err != nil {
		return false
	}
	return strings.EqualFold(key, name)
}
