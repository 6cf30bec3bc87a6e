package admin_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/commit-labeler/commit-labeler/admin"
	"github.com/commit-labeler/commit-labeler/classify"
	"github.com/commit-labeler/commit-labeler/delivery"
	"github.com/commit-labeler/commit-labeler/store"
)

var testSecret = []byte("s3cret")

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// outcomeHandler ends each pull_request delivery as its GUID says: "fail"
// fails for good, "hold" runs until the test ends, others succeed.
type outcomeHandler struct {
	held    chan struct{} // closed once "hold" runs
	release chan struct{}
}

func (h *outcomeHandler) Handles() []string { return []string{"pull_request"} }

func (h *outcomeHandler) Handle(ctx context.Context, _, deliveryID string, _ []byte) error {
	switch deliveryID {
	case "fail":
		return delivery.Permanent(errors.New("GitHub answered 422"))
	case "hold":
		close(h.held)
		select {
		case <-h.release:
		case <-ctx.Done():
		}
	}
	return nil
}

// botState is a webhook server on a real store that handled a few
// deliveries (two done, one failed, one still running, one refused), and
// the decisions, corrections and models such a bot records.
type botState struct {
	db      *store.DB
	metrics *delivery.Metrics
	hooks   *httptest.Server
}

func newBotState(t *testing.T) *botState {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "bot.db"))
	if err != nil {
		t.Fatal(err)
	}
	metrics := delivery.NewMetrics()
	h := &outcomeHandler{held: make(chan struct{}), release: make(chan struct{})}
	srv, err := delivery.NewServer(ctx, db, testSecret, delivery.NewDispatcher(quietLog(), h),
		delivery.WithLogger(quietLog()), delivery.WithMetrics(metrics), delivery.WithPollInterval(20*time.Millisecond))
	if err != nil {
		db.Close()
		t.Fatal(err)
	}
	if err := srv.Start(ctx); err != nil {
		t.Fatal(err)
	}
	hooks := httptest.NewServer(srv)
	t.Cleanup(func() {
		hooks.Close()
		close(h.release)
		srv.Stop(context.Background())
		db.Close()
	})
	payload := []byte(`{"action":"opened","number":7,"installation":{"id":1},"repository":{"name":"app","full_name":"acme/app","owner":{"login":"acme"}},"pull_request":{"number":7}}`)
	for _, d := range []struct {
		id, secret string
		want       int
	}{
		{"ok-1", "s3cret", http.StatusAccepted},
		{"ok-2", "s3cret", http.StatusAccepted},
		{"fail", "s3cret", http.StatusAccepted},
		{"hold", "s3cret", http.StatusAccepted},
		{"forged", "wrong", http.StatusUnauthorized},
	} {
		req, _ := http.NewRequest(http.MethodPost, hooks.URL+delivery.PathWebhooks, bytes.NewReader(payload))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(delivery.HeaderEvent, "pull_request")
		req.Header.Set(delivery.HeaderDelivery, d.id)
		req.Header.Set(delivery.HeaderSignature, delivery.SignatureHeader([]byte(d.secret), payload))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != d.want {
			t.Fatalf("delivery %s: %d, want %d", d.id, resp.StatusCode, d.want)
		}
	}
	<-h.held
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		counts, err := db.DeliveryCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// River marks its jobs finished in batches, after the handlers.
		var running int
		if err := db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM river_job WHERE state = 'running'`).Scan(&running); err != nil {
			t.Fatal(err)
		}
		if counts[store.DeliveryDone] == 2 && counts[store.DeliveryFailed] == 1 && running == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("deliveries not handled within 10 s: %v, %d jobs running", counts, running)
		}
	}

	// What the event handlers record as they label.
	detail := func(p classify.Prediction) []byte { b, _ := json.Marshal(p); return b }
	err = db.SavePullPrediction(ctx, store.PullPrediction{Repo: "acme/app", Number: 7, HeadSHA: "abcdef0123456789",
		Prediction: store.BotPrediction{Repo: "acme/app", PullNumber: 7, SHA: "abcdef0123456789", Source: classify.SourceModel,
			Labels: []string{"docs"}, DeliveryID: "ok-1", ModelVersion: 1,
			Detail: detail(classify.Prediction{Source: classify.SourceModel,
				Labels: []classify.LabelScore{{Label: "docs", Probability: 0.91}},
				Scores: []classify.LabelScore{{Label: "docs", Probability: 0.91}, {Label: "chore", Probability: 0.05}}})}})
	if err != nil {
		t.Fatal(err)
	}
	err = db.SavePredictions(ctx, []store.BotPrediction{
		{Repo: "acme/lib", SHA: "0123456789abcdef", Source: classify.SourceTitle, Labels: []string{"fix"}, DeliveryID: "ok-2",
			Detail: detail(classify.Prediction{Source: classify.SourceTitle, Labels: []classify.LabelScore{{Label: "fix", Probability: 1}}})},
		{Repo: "acme/lib", SHA: "fedcba9876543210", Source: classify.SourceModel, DeliveryID: "ok-2",
			Detail: detail(classify.Prediction{Source: classify.SourceModel, Abstain: true})},
	})
	if err != nil {
		t.Fatal(err)
	}
	report := func(l classify.Learned) []byte { b, _ := json.Marshal(l); return b }
	accepted := report(classify.Learned{Commits: 480, ValidCommits: 96, Accepted: true,
		Global:  &classify.Metrics{MacroF1: 0.61, AppliedPrecision: 0.88, AppliedCoverage: 0.52},
		Learned: &classify.Metrics{MacroF1: 0.74, AppliedPrecision: 0.91, AppliedCoverage: 0.66}})
	if _, err := db.PublishRepositoryModel(ctx, store.RepositoryModel{Repo: "acme/app", Accepted: true, Commits: 480, Report: accepted, Files: []byte("tar")}); err != nil {
		t.Fatal(err)
	}
	refused := report(classify.Learned{Commits: 12, Reason: "12 labeled commits: learning needs 100, 30 of them to compare on"})
	if _, err := db.PublishRepositoryModel(ctx, store.RepositoryModel{Repo: "acme/lib", Accepted: false, Commits: 12, Report: refused}); err != nil {
		t.Fatal(err)
	}
	if err := db.AddCorrection(ctx, store.Correction{Repo: "acme/app", SHAs: []string{"a1", "abcdef0123456789"}, PullNumber: 7,
		Label: "docs", Action: store.CorrectionRemoved, Sender: "maintainer", DeliveryID: "labels-1"}); err != nil {
		t.Fatal(err)
	}
	return &botState{db: db, metrics: metrics, hooks: hooks}
}

// get fetches url and returns the status and body.
func get(t *testing.T, method, url string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// TestPageShowsTheBotsState renders the page over a real store and real
// webhook server that handled a few deliveries: each section shows them.
func TestPageShowsTheBotsState(t *testing.T) {
	st := newBotState(t)
	page := httptest.NewServer(admin.Handler(admin.Config{Store: st.db, Metrics: st.metrics.Gatherer(),
		GlobalModel: "tfidf_logreg (the shipped model)", Log: quietLog()}))
	defer page.Close()
	code, body := get(t, http.MethodGet, page.URL+"/")
	if code != http.StatusOK {
		t.Fatalf("GET /: %d\n%s", code, body)
	}
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	hour := time.Now().UTC().Format("2006-01-02 15:00")
	for _, tc := range []struct {
		section string
		want    []string
	}{
		{"", []string{"4 deliveries in the last 24 h", "2 handled", "1 failed", "1 not finished", "1 jobs waiting in the queue",
			"2 repositories", "1 served by their own model", "The global model: tfidf_logreg (the shipped model)."}},
		{"deliveries", []string{hour + " 2 1 1 4"}},
		{"queue", []string{"running 1", "queued 4", "done 2", "failed 1"}},
		{"refused", []string{"bad_signature 1", "malformed_payload 0"}},
		{"models", []string{"acme/app own model v1 learned from 480 commits",
			"accepted: on the newest 96 of 480 labeled commits, macro-F1 0.740 vs the global model's 0.610, precision 0.91 vs 0.88, coverage 0.66 vs 0.52",
			"acme/lib global model tfidf_logreg (the shipped model) v1,", "refused: 12 labeled commits: learning needs 100, 30 of them to compare on"}},
		{"decisions", []string{"acme/app (model serving: own model v1)", "pull request #7 at abcdef0 docs 0.91 own model v1 ok-1",
			"acme/lib (model serving: global model)", "commit 0123456 fix 1.00 title (Conventional Commits) ok-2",
			"commit fedcba9 none applied global model ok-2"}},
		{"corrections", []string{"acme/app #7 docs removed maintainer 2"}},
	} {
		t.Run("section "+tc.section, func(t *testing.T) {
			text := sectionText(t, doc, tc.section)
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Errorf("lacks %q:\n%s", w, text)
				}
			}
		})
	}
	if n := countElements(doc, "script") + countElements(doc, "link") + countElements(doc, "img"); n != 0 {
		t.Errorf("the page has %d script, link or img elements: it must stand alone", n)
	}
}

// TestPageShowsTheViewersRepositoriesOnly renders the page for people
// signed in with access to one repository each: each sees its rows and
// never a word of the other's, nor the process-wide figures.
func TestPageShowsTheViewersRepositoriesOnly(t *testing.T) {
	st := newBotState(t)
	for _, tc := range []struct {
		login, sees, never string
		want               []string
	}{
		{"alice", "acme/app", "acme/lib", []string{"4 deliveries in the last 24 h", "1 repositories",
			"pull request #7 at abcdef0 docs 0.91 own model v1 ok-1", "acme/app #7 docs removed maintainer 2"}},
		{"bob", "acme/lib", "acme/app", []string{"0 deliveries in the last 24 h", "1 repositories",
			"commit 0123456 fix 1.00 title (Conventional Commits) ok-2"}},
	} {
		t.Run(tc.login, func(t *testing.T) {
			viewer := admin.Viewer{Login: tc.login, Scope: store.OnlyRepos(tc.sees), SignOut: "/logout"}
			page := httptest.NewServer(admin.Handler(admin.Config{Store: st.db, Metrics: st.metrics.Gatherer(), Log: quietLog(),
				Viewer: func(*http.Request) admin.Viewer { return viewer }}))
			defer page.Close()
			code, body := get(t, http.MethodGet, page.URL+"/")
			if code != http.StatusOK {
				t.Fatalf("GET /: %d\n%s", code, body)
			}
			if strings.Contains(body, tc.never) {
				t.Errorf("%s, who may see %s only, sees %s:\n%s", tc.login, tc.sees, tc.never, body)
			}
			doc, err := html.Parse(strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			text := sectionText(t, doc, "")
			for _, w := range append(tc.want, "Signed in with GitHub as "+tc.login+": the 1 repositories GitHub says you can access.") {
				if !strings.Contains(text, w) {
					t.Errorf("lacks %q:\n%s", w, text)
				}
			}
			for _, operators := range []string{"queue", "refused"} {
				if findID(doc, operators) != nil {
					t.Errorf("section %s, the operator's, is shown to %s", operators, tc.login)
				}
			}
		})
	}
}

// TestPageRoutes: the admin handler serves the page at / alone, and the
// webhook server, which faces the internet, does not serve it.
func TestPageRoutes(t *testing.T) {
	st := newBotState(t)
	page := httptest.NewServer(admin.Handler(admin.Config{Store: st.db, Log: quietLog()}))
	defer page.Close()
	for _, tc := range []struct {
		name, method, url string
		want              int
	}{
		{"admin page", http.MethodGet, page.URL + "/", http.StatusOK},
		{"admin page, HEAD", http.MethodHead, page.URL + "/", http.StatusOK},
		{"admin, another path", http.MethodGet, page.URL + "/repos", http.StatusNotFound},
		{"admin, POST", http.MethodPost, page.URL + "/", http.StatusMethodNotAllowed},
		{"webhook address, root", http.MethodGet, st.hooks.URL + "/", http.StatusNotFound},
		{"webhook address, /admin", http.MethodGet, st.hooks.URL + "/admin", http.StatusNotFound},
		{"webhook address, /admin/", http.MethodGet, st.hooks.URL + "/admin/", http.StatusNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, body := get(t, tc.method, tc.url)
			if code != tc.want {
				t.Errorf("%s %s: %d, want %d", tc.method, tc.url, code, tc.want)
			}
			if strings.Contains(body, "Deliveries per hour") != (code == http.StatusOK && tc.method == http.MethodGet) {
				t.Errorf("%s %s: page served where it must not be, or missing:\n%s", tc.method, tc.url, body)
			}
		})
	}
}

// failingStore fails every read.
type failingStore struct{ admin.Store }

func (failingStore) DeliveriesPerHour(context.Context, store.RepoScope, time.Time) ([]store.HourlyDeliveries, error) {
	return nil, errors.New("disk I/O error")
}

// TestPageOnStoreError: a failed read answers 500 and logs why, rather
// than half a page.
func TestPageOnStoreError(t *testing.T) {
	var logs bytes.Buffer
	page := httptest.NewServer(admin.Handler(admin.Config{Store: failingStore{}, Log: slog.New(slog.NewTextHandler(&logs, nil))}))
	defer page.Close()
	code, body := get(t, http.MethodGet, page.URL+"/")
	if code != http.StatusInternalServerError || strings.Contains(body, "disk I/O") {
		t.Errorf("GET /: %d %q, want 500 without the error's text", code, body)
	}
	if !strings.Contains(logs.String(), "disk I/O error") {
		t.Errorf("the error is not logged:\n%s", logs.String())
	}
}

// sectionText is the text of the section element of that id (the whole
// document when id is ""), whitespace collapsed.
func sectionText(t *testing.T, doc *html.Node, id string) string {
	t.Helper()
	n := doc
	if id != "" {
		if n = findID(doc, id); n == nil {
			t.Fatalf("no element with id %q", id)
		}
	}
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		switch {
		case n.Type == html.ElementNode && (n.Data == "style" || n.Data == "title" && n.Parent.Data == "head"):
			return
		case n.Type == html.TextNode:
			b.WriteString(n.Data)
		case n.Type == html.ElementNode && (n.Data == "td" || n.Data == "th" || n.Data == "div" || n.Data == "span"):
			b.WriteString(" ")
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.Join(strings.Fields(b.String()), " ")
}

func findID(n *html.Node, id string) *html.Node {
	for _, a := range n.Attr {
		if a.Key == "id" && a.Val == id {
			return n
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if f := findID(c, id); f != nil {
			return f
		}
	}
	return nil
}

func countElements(n *html.Node, tag string) int {
	count := 0
	if n.Type == html.ElementNode && n.Data == tag {
		count++
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		count += countElements(c, tag)
	}
	return count
}
