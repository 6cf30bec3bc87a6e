package loadgen

import (
	"testing"
	"time"
)

func TestLatenciesQuantile(t *testing.T) {
	hundred := make(Latencies, 100)
	for i := range hundred {
		hundred[len(hundred)-1-i] = time.Duration(i+1) * time.Millisecond
	}
	tests := []struct {
		name string
		l    Latencies
		q    float64
		want time.Duration
	}{
		{"none", nil, 0.5, 0},
		{"one", Latencies{7}, 0.99, 7},
		{"median of 100", hundred, 0.50, 50 * time.Millisecond},
		{"p99 of 100", hundred, 0.99, 99 * time.Millisecond},
		{"max of 100", hundred, 1, 100 * time.Millisecond},
		{"min of 100", hundred, 0, time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.l.Quantile(tt.q); got != tt.want {
				t.Errorf("Quantile(%v) = %v, want %v", tt.q, got, tt.want)
			}
		})
	}
	if got := hundred.Max(); got != 100*time.Millisecond {
		t.Errorf("Max() = %v", got)
	}
}
