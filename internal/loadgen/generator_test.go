package loadgen

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/commit-labeler/commit-labeler/internal/fakegithub"
	"github.com/commit-labeler/commit-labeler/webhook"
)

// TestGeneratorPostsSignedDeliveriesAtTheRate drives a server that checks
// each delivery's signature and GUID, and a fake GitHub that learns each
// pull request before its delivery is sent.
func TestGeneratorPostsSignedDeliveriesAtTheRate(t *testing.T) {
	ds := newTestDeliveries(t)
	gh, err := StartFakeGitHub(ds)
	if err != nil {
		t.Fatal(err)
	}
	defer gh.Close()
	secret := []byte("s3cret")
	var (
		mu  sync.Mutex
		ids = map[string]bool{}
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		id := r.Header.Get(webhook.HeaderDelivery)
		mu.Lock()
		dup := ids[id]
		ids[id] = true
		mu.Unlock()
		if err := webhook.VerifySignature(secret, body, r.Header.Get(webhook.HeaderSignature)); err != nil || dup {
			http.Error(w, "refused", http.StatusUnauthorized)
			return
		}
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()

	g := &Generator{Deliveries: ds, Client: NewClient(5 * time.Second), MaxInFlight: 64}
	st := g.Run(context.Background(), Target{Name: "test", URL: srv.URL, Secret: secret, BeforeSend: gh.AddPull}, 200, 250*time.Millisecond)
	if st.Sent != 50 || st.Accepted != 50 || st.Errors != 0 || len(st.Latencies) != 50 {
		t.Fatalf("sent %d accepted %d errors %d (%s)", st.Sent, st.Accepted, st.Errors, st.FirstError)
	}
	if st.Elapsed < 245*time.Millisecond {
		t.Errorf("50 deliveries at 200/s took %v", st.Elapsed)
	}
	gh.repos.Update(ds.Owner, ds.Repo, func(r *fakegithub.Repo) {
		for _, n := range st.Numbers {
			if r.Pulls[n] == nil {
				t.Errorf("pull request %d unknown to the fake GitHub", n)
			}
		}
	})
	if l := gh.labeling(st); l.Labeled != 0 || l.Complete {
		t.Errorf("labeling without a bot: %+v", l)
	}
}
