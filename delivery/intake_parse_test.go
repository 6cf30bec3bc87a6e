package delivery

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/commit-labeler/commit-labeler/internal/ghexamples"
	"github.com/commit-labeler/commit-labeler/store"
)

var parseSeeds = []string{
	`{"action":"opened","installation":{"id":1},"repository":{"full_name":"o/r","owner":{"full_name":"x"}}}`,
	`{"Action":"a","action":"b","ACTION":"c"}`,
	`{"\u0061ction":"x","installation":null,"repository":null}`,
	`{"action":null,"installation":{"id":1.5}}`,
	`{"action":5}`,
	`{"repository":{"full_name":"a","full_name":"b"}}`,
	`{"repository":"o/r"}`,
	`{"installation":{"id":"7"}}`,
	`[]`, `{`, `{"a":1}x`, `null`,
}

func FuzzParsePayload(f *testing.F) {
	for _, s := range parseSeeds {
		f.Add([]byte(s))
	}
	if _, err := os.Stat(ghexamples.Path()); err == nil {
		for _, examples := range ghexamples.Load(f) {
			for _, ex := range examples {
				f.Add([]byte(ex))
			}
		}
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		var d store.Delivery
		err := ParsePayload(payload, contentJSON, &d)
		var env envelope // decoded from the whole payload: ParsePayload must read what encoding/json reads
		stdErr := json.Unmarshal(payload, &env)
		isObject := json.Valid(payload) && firstByte(payload) == '{'
		switch {
		case stdErr == nil && isObject && err != nil:
			t.Fatalf("refused %q that encoding/json decodes: %v", payload, err)
		case (stdErr != nil || !isObject) && err == nil:
			t.Fatalf("accepted %q that encoding/json refuses (%v)", payload, stdErr)
		case err != nil:
			return
		}
		want := store.Delivery{Action: env.Action, Payload: payload}
		if env.Installation != nil {
			want.InstallationID = env.Installation.ID
		}
		if env.Repository != nil {
			want.Repo = env.Repository.FullName
		}
		if d.Action != want.Action || d.InstallationID != want.InstallationID || d.Repo != want.Repo || string(d.Payload) != string(payload) {
			t.Fatalf("%q: envelope %q %d %q, encoding/json %q %d %q", payload,
				d.Action, d.InstallationID, d.Repo, want.Action, want.InstallationID, want.Repo)
		}
	})
}

// firstByte is the first byte after whitespace, 0 for none.
func firstByte(b []byte) byte {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			return c
		}
	}
	return 0
}

// BenchmarkParsePayload parses the largest pull_request example GitHub publishes.
func BenchmarkParsePayload(b *testing.B) {
	payload := ghexamples.Largest(b, "pull_request")
	b.SetBytes(int64(len(payload)))
	b.ReportAllocs()
	for b.Loop() {
		var d store.Delivery
		if err := ParsePayload(payload, contentJSON, &d); err != nil {
			b.Fatal(err)
		}
	}
}
