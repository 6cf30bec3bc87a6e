package delivery_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/commit-labeler/commit-labeler/delivery"
)

// TestMetricsTransport counts API calls by status and records the rate
// limit GitHub reports; classifications are counted by label.
func TestMetricsTransport(t *testing.T) {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Ratelimit-Remaining", "4321")
		w.Header().Set("X-Ratelimit-Resource", "core")
		if r.URL.Path == "/missing" {
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	defer api.Close()
	m := delivery.NewMetrics()
	client := &http.Client{Transport: m.Transport(nil)}
	for _, p := range []string{"/a", "/b", "/missing"} {
		resp, err := client.Get(api.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	m.Classifications.WithLabelValues("feat").Add(2)
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, delivery.PathMetrics, nil))
	text, _ := io.ReadAll(rec.Body)
	for _, want := range []string{
		`commit_labeler_github_api_requests_total{status="200"} 2`,
		`commit_labeler_github_api_requests_total{status="404"} 1`,
		`commit_labeler_github_rate_limit_remaining{resource="core"} 4321`,
		`commit_labeler_classifications_total{label="feat"} 2`,
	} {
		if !strings.Contains(string(text), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}
