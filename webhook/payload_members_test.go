package webhook

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/commit-labeler/commit-labeler/internal/jsonscan"
)

func TestDropMembers(t *testing.T) {
	for _, tc := range []struct {
		object  string
		paths   []string
		want    string
		dropped map[string]string
	}{
		{`{"a":1,"pull_request":{"x":1},"b":[2]}`, []string{"pull_request"}, `{"a":1,"b":[2]}`,
			map[string]string{"pull_request": `{"x":1}`}},
		{`{"head":{"sha":"s","repo":{"id":1}},"base":{"repo":null,"ref":"main"},"_links":{}}`,
			[]string{"head.repo", "base.repo", "_links"}, `{"head":{"sha":"s"},"base":{"ref":"main"}}`,
			map[string]string{"head.repo": `{"id":1}`, "base.repo": `null`, "_links": `{}`}},
		{`{"Pull_Request":1,"pull_request":2}`, []string{"pull_request"}, `{}`, map[string]string{"pull_request": `2`}},
		{`{"head":"not an object"}`, []string{"head.repo"}, `{"head":"not an object"}`, map[string]string{}},
		{` { "a" : 1 } `, nil, `{"a":1}`, map[string]string{}},
	} {
		got, dropped, err := dropMembers([]byte(tc.object), tc.paths...)
		if err != nil || string(got) != tc.want {
			t.Errorf("dropMembers(%s, %q) = %s, %v; want %s", tc.object, tc.paths, got, err, tc.want)
		}
		gotDropped := map[string]string{}
		for k, v := range dropped {
			gotDropped[k] = string(v)
		}
		if !reflect.DeepEqual(gotDropped, tc.dropped) {
			t.Errorf("dropMembers(%s) dropped %q, want %q", tc.object, gotDropped, tc.dropped)
		}
	}
	if _, _, err := dropMembers([]byte(`{"a":`), "a"); err == nil {
		t.Error("truncated object accepted")
	}
}

// FuzzDropMembers: what dropMembers keeps decodes as the object does, less
// the members dropped.
func FuzzDropMembers(f *testing.F) {
	f.Add([]byte(`{"a":1,"head":{"repo":2,"sha":"x"},"pull_request":{}}`))
	f.Add([]byte(`{"head":[1],"HEAD":{"Repo":1}}`))
	f.Fuzz(func(t *testing.T, object []byte) {
		slim, _, err := dropMembers(object, "pull_request", "head.repo")
		var whole map[string]any
		if json.Unmarshal(object, &whole) != nil || whole == nil {
			if err == nil && json.Valid(object) && firstByte(object) == '{' {
				t.Fatalf("%q: dropMembers accepted what is not an object", object)
			}
			return
		}
		if err != nil {
			t.Fatalf("%q: %v", object, err)
		}
		var got map[string]any
		if err := json.Unmarshal(slim, &got); err != nil {
			t.Fatalf("%q → %q: %v", object, slim, err)
		}
		for k := range got {
			if jsonKeyIs(k, "pull_request") {
				t.Fatalf("%q → %q kept %q", object, slim, k)
			}
			if head, ok := got[k].(map[string]any); ok && jsonKeyIs(k, "head") {
				for hk := range head {
					if jsonKeyIs(hk, "repo") {
						t.Fatalf("%q → %q kept head.%s", object, slim, hk)
					}
				}
			}
		}
	})
}

func jsonKeyIs(key, name string) bool {
	raw, _ := json.Marshal(key)
	return jsonscan.KeyIs(raw, name)
}
