package jsonscan

import (
	"bytes"
	"strings"
)

// PickMembers returns a copy of object, a JSON object, holding only the
// members at keep paths, and the raw values of the top-level members named
// take (left out of the copy). A path names a member ("number") or a member of
// one ("head.sha", "repository.owner.login"); a value that is not an object
// where a path goes deeper is kept whole, for the decoder to judge. Keys
// match as encoding/json matches them, and where a name repeats the last
// one is taken, as encoding/json would keep it.
//
// A pull_request payload is 27-35 kB and a pull request from the API about
// 20 kB, nearly all of it URLs and repositories the bot never reads, and
// encoding/json scans every byte it is given twice (validation, then
// decoding): the handlers give it only what they read.
func PickMembers(object []byte, keep []string, take ...string) ([]byte, map[string][]byte, error) {
	taken := map[string][]byte{}
	out, err := pickInto(make([]byte, 0, 1024), object, keep, take, taken)
	return out, taken, err
}

func pickInto(out, object []byte, keep, take []string, taken map[string][]byte) ([]byte, error) {
	out = append(out, '{')
	first := true
	err := Members(object, func(key, value []byte) error {
		for _, p := range take {
			if KeyIs(key, p) {
				taken[p] = value
				return nil
			}
		}
		whole, nested := false, []string(nil)
		for _, p := range keep {
			name, rest, deeper := strings.Cut(p, ".")
			switch {
			case !KeyIs(key, name):
			case !deeper || !bytes.HasPrefix(value, []byte("{")):
				whole = true
			default:
				nested = append(nested, rest)
			}
		}
		if !whole && nested == nil {
			return nil
		}
		if !first {
			out = append(out, ',')
		}
		first = false
		out = append(append(out, key...), ':')
		if whole {
			out = append(out, value...)
			return nil
		}
		var err error
		out, err = pickInto(out, value, nested, nil, taken)
		return err
	})
	return append(out, '}'), err
}
