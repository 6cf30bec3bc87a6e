package webhook

import (
	"bytes"
	"strings"

	"github.com/commit-labeler/commit-labeler/internal/jsonscan"
)

// dropMembers returns a copy of object, a JSON object, without the members
// at paths: a path names a member ("pull_request") or a member of one
// ("head.repo"). It returns the raw values dropped by path, the last one
// where a name repeats (the one encoding/json would have kept).
//
// A pull request or a repository is 5 to 20 kB of JSON, most of it URLs the
// bot never reads: encoding/json scans every byte of what it is given twice
// (validation, then decoding), so the handlers give it only what they read.
func dropMembers(object []byte, paths ...string) ([]byte, map[string][]byte, error) {
	todo := make([]memberPath, len(paths))
	for i, p := range paths {
		todo[i] = memberPath{full: p, rest: p}
	}
	dropped := map[string][]byte{}
	out, err := dropInto(make([]byte, 0, len(object)), object, todo, dropped)
	return out, dropped, err
}

// memberPath is a path being followed: rest is what is left of full below
// the object at hand.
type memberPath struct{ full, rest string }

func dropInto(out, object []byte, paths []memberPath, dropped map[string][]byte) ([]byte, error) {
	out = append(out, '{')
	first := true
	err := jsonscan.Members(object, func(key, value []byte) error {
		var nested []memberPath
		for _, p := range paths {
			name, rest, deeper := strings.Cut(p.rest, ".")
			switch {
			case !jsonscan.KeyIs(key, name):
			case !deeper:
				dropped[p.full] = value
				return nil
			case bytes.HasPrefix(value, []byte("{")):
				nested = append(nested, memberPath{full: p.full, rest: rest})
			}
		}
		if !first {
			out = append(out, ',')
		}
		first = false
		out = append(append(out, key...), ':')
		if len(nested) == 0 {
			out = append(out, value...)
			return nil
		}
		var err error
		out, err = dropInto(out, value, nested, dropped)
		return err
	})
	return append(out, '}'), err
}
