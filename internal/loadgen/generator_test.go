package loadgen

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/google/go-github/v93/github"

	"github.com/commit-labeler/commit-labeler/delivery"
	"github.com/commit-labeler/commit-labeler/internal/fakegithub"
)

// TestGeneratorPostsSignedDeliveriesAtTheRate drives two replicas of a
// server that checks each delivery's signature and GUID, and a fake GitHub
// that learns each pull request before its delivery is sent: the
// deliveries go to the replicas in turn.
func TestGeneratorPostsSignedDeliveriesAtTheRate(t *testing.T) {
	ds := newTestDeliveries(t)
	gh, err := StartFakeGitHub(ds)
	if err != nil {
		t.Fatal(err)
	}
	defer gh.Close()
	secret := []byte("s3cret")
	var (
		mu     sync.Mutex
		ids    = map[string]bool{}
		served = map[string]int{} // replica → deliveries
	)
	replica := func(name string) *httptest.Server {
		return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			id := r.Header.Get(delivery.HeaderDelivery)
			mu.Lock()
			dup := ids[id]
			ids[id] = true
			served[name]++
			mu.Unlock()
			if err := delivery.VerifySignature(secret, body, r.Header.Get(delivery.HeaderSignature)); err != nil || dup {
				http.Error(w, "refused", http.StatusUnauthorized)
				return
			}
			w.WriteHeader(http.StatusAccepted)
		}))
	}
	a, b := replica("a"), replica("b")
	defer a.Close()
	defer b.Close()

	g := &Generator{Deliveries: ds, MaxInFlight: 64, Timeout: 5 * time.Second}
	st := g.Run(context.Background(), Target{Name: "test", URLs: []string{a.URL, b.URL}, Secret: secret, BeforeSend: gh.AddPull}, 200, 250*time.Millisecond)
	if st.Sent != 50 || st.Accepted != 50 || st.Errors != 0 || len(st.Latencies) != 50 || st.Replicas != 2 {
		t.Fatalf("sent %d accepted %d errors %d replicas %d (%s)", st.Sent, st.Accepted, st.Errors, st.Replicas, st.FirstError)
	}
	if served["a"] != 25 || served["b"] != 25 {
		t.Errorf("replicas served %v, want 25 each", served)
	}
	if st.Elapsed < 245*time.Millisecond {
		t.Errorf("50 deliveries at 200/s took %v", st.Elapsed)
	}
	gh.repos.Update(ds.Owner, ds.Repo, func(r *fakegithub.Repo) {
		for _, n := range st.Numbers {
			p := r.Pulls[n]
			if p == nil {
				t.Errorf("pull request %d unknown to the fake GitHub", n)
				continue
			}
			var served github.PullRequest
			if err := json.Unmarshal(p.JSON, &served); err != nil || served.GetNumber() != n || served.GetTitle() != p.PullRequest.GetTitle() {
				t.Errorf("pull request %d served as number %d, title %q (err %v)", n, served.GetNumber(), served.GetTitle(), err)
			}
		}
	})
	if l := gh.labeling(st); l.Labeled != 0 || l.Complete {
		t.Errorf("labeling without a bot: %+v", l)
	}
}

// TestGeneratorCountsRefusalsAndReconnects drives a server that refuses
// every third delivery and closes the connection after every other answer:
// refusals are errors, closed connections are redialled, nothing is lost.
func TestGeneratorCountsRefusalsAndReconnects(t *testing.T) {
	ds := newTestDeliveries(t)
	var (
		mu sync.Mutex
		n  int
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		mu.Lock()
		n++
		i := n
		mu.Unlock()
		if i%2 == 0 {
			w.Header().Set("Connection", "close")
		}
		if i%3 == 0 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()
	g := &Generator{Deliveries: ds, MaxInFlight: 8, Timeout: 5 * time.Second}
	st := g.Run(context.Background(), Target{Name: "test", URLs: []string{srv.URL}, Secret: []byte("s")}, 300, 200*time.Millisecond)
	if st.Sent != 60 || st.Accepted != 40 || st.Errors != 20 {
		t.Fatalf("sent %d accepted %d errors %d (%s)", st.Sent, st.Accepted, st.Errors, st.FirstError)
	}
	if want := "test answered 503 Service Unavailable"; st.FirstError != want {
		t.Errorf("first error %q, want %q", st.FirstError, want)
	}
}
