package jsonscan

import (
	"testing"
)

func TestPickMembers(t *testing.T) {
	for _, tc := range []struct {
		object string
		keep   []string
		take   string
		want   string
		taken  string
	}{
		{`{"a":1,"pull_request":{"x":1},"b":[2],"c":3}`, []string{"a", "b"}, "pull_request", `{"a":1,"b":[2]}`, `{"x":1}`},
		{`{"head":{"sha":"s","repo":{"id":1}},"user":{"login":"u","url":"x"},"n":1}`,
			[]string{"head.sha", "user.login", "user.type"}, "", `{"head":{"sha":"s"},"user":{"login":"u"}}`, ``},
		{`{"repository":{"owner":{"login":"o","id":2},"name":"r","url":"u"}}`,
			[]string{"repository.owner.login", "repository.name"}, "", `{"repository":{"owner":{"login":"o"},"name":"r"}}`, ``},
		{`{"Pull_Request":1,"pull_request":2}`, nil, "pull_request", `{}`, `2`},
		{`{"head":"not an object","Head":null}`, []string{"head.sha"}, "", `{"head":"not an object","Head":null}`, ``},
		{` { "a" : 1 } `, []string{"a"}, "", `{"a":1}`, ``},
	} {
		var take []string
		if tc.take != "" {
			take = []string{tc.take}
		}
		got, taken, err := PickMembers([]byte(tc.object), tc.keep, take...)
		if err != nil || string(got) != tc.want || string(taken[tc.take]) != tc.taken {
			t.Errorf("PickMembers(%s, %q, %q) = %s, %s, %v; want %s, %s", tc.object, tc.keep, tc.take,
				got, taken[tc.take], err, tc.want, tc.taken)
		}
	}
	if _, _, err := PickMembers([]byte(`{"a":`), []string{"a"}); err == nil {
		t.Error("truncated object accepted")
	}
}
