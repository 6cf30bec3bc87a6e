package webhook

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/google/go-github/v93/github"
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
		got, taken, err := pickMembers([]byte(tc.object), tc.keep, take...)
		if err != nil || string(got) != tc.want || string(taken[tc.take]) != tc.taken {
			t.Errorf("pickMembers(%s, %q, %q) = %s, %s, %v; want %s, %s", tc.object, tc.keep, tc.take,
				got, taken[tc.take], err, tc.want, tc.taken)
		}
	}
	if _, _, err := pickMembers([]byte(`{"a":`), []string{"a"}); err == nil {
		t.Error("truncated object accepted")
	}
}

// FuzzPickMembers: a pull request decoded from what pickMembers keeps has
// the fields the handlers read, as decoding the whole object gives them.
func FuzzPickMembers(f *testing.F) {
	f.Add([]byte(`{"number":1,"title":"t","head":{"repo":2,"sha":"x"},"labels":[{"name":"a"}],"user":{"login":"u"}}`))
	f.Add([]byte(`{"head":[1],"HEAD":{"Sha":"y"},"Title":"a","title":"b"}`))
	f.Fuzz(func(t *testing.T, object []byte) {
		var whole github.PullRequest
		wholeErr := json.Unmarshal(object, &whole)
		pr, err := decodePullRequest(object)
		switch {
		case wholeErr == nil && err != nil:
			t.Fatalf("%q decodes whole but not picked: %v", object, err)
		case wholeErr != nil:
			return // the subset may decode where the whole fails on a member never read
		}
		got, want := pullRequestView(pr), pullRequestView(&whole)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: decoded %+v, whole %+v", object, got, want)
		}
	})
}

// pullRequestView is what the handlers read of a pull request.
func pullRequestView(pr *github.PullRequest) []any {
	var labels []string
	for _, l := range pr.Labels {
		labels = append(labels, l.GetName())
	}
	return []any{pr.GetNumber(), pr.GetState(), pr.GetTitle(), pr.GetBody(), pr.GetDraft(), pr.GetUser().GetLogin(),
		pr.GetUser().GetType(), pr.GetHead().GetSHA(), labels, pr.GetUpdatedAt().String()}
}

// BenchmarkDecodePullRequestDelivery decodes GitHub's largest pull_request
// example as the handler does, and its pull request as the API's answer.
func BenchmarkDecodePullRequestDelivery(b *testing.B) {
	payload := largestPullRequestExample(b)
	b.Run("payload", func(b *testing.B) {
		b.SetBytes(int64(len(payload)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := decodePullRequestDelivery("pull_request", "d", payload); err != nil {
				b.Fatal(err)
			}
		}
	})
	ev, err := decodePullRequestDelivery("pull_request", "d", payload)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("pull_request", func(b *testing.B) {
		b.SetBytes(int64(len(ev.RawPullRequest)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := decodePullRequest(ev.RawPullRequest); err != nil {
				b.Fatal(err)
			}
		}
	})
}
