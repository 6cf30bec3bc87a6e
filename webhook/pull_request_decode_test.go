package webhook

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/google/go-github/v93/github"

	"github.com/commit-labeler/commit-labeler/internal/ghexamples"
)

// FuzzPickMembers: a pull request decoded from what PickMembers keeps has
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
	payload := ghexamples.Largest(b, "pull_request")
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
