package delivery_test

import (
	"fmt"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/commit-labeler/commit-labeler/delivery"
)

// BenchmarkIntake posts signed pull_request deliveries over loopback, from
// 8 concurrent clients, to a bot whose handler does nothing: each is
// verified, parsed, committed with its job and answered. It reports
// deliveries/s and the p50/p99 answer latency.
func BenchmarkIntake(b *testing.B) {
	body := []byte(`{"action":"opened","number":1,"installation":{"id":1},"repository":{"full_name":"o/r"},"pull_request":{"title":"feat: x"}}`)
	if examples := loadExamples(b, "pull_request"); len(examples) > 0 {
		body = examples[0].payload // a real payload: about 30 kB
	}
	bot := startBot(b, "", []delivery.Handler{newRecorder("pull_request")})
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	var (
		next      atomic.Int64
		mu        sync.Mutex
		latencies []time.Duration
	)
	b.SetParallelism(4) // goroutines per GOMAXPROCS: 8 clients on 2 cores
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		var mine []time.Duration
		for pb.Next() {
			req := signedRequest(b, bot.http.URL, "pull_request", fmt.Sprintf("bench-%d", next.Add(1)), body)
			t0 := time.Now()
			resp, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusAccepted {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
			mine = append(mine, time.Since(t0))
		}
		mu.Lock()
		latencies = append(latencies, mine...)
		mu.Unlock()
	})
	elapsed := time.Since(start)
	b.StopTimer()
	if len(latencies) == 0 {
		return
	}
	slices.Sort(latencies)
	b.ReportMetric(float64(len(latencies))/elapsed.Seconds(), "deliveries/s")
	b.ReportMetric(float64(latencies[len(latencies)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(latencies[len(latencies)*99/100].Microseconds())/1000, "p99-ms")
}
