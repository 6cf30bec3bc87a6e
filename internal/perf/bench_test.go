package perf

import (
	"strings"
	"testing"
	"time"
)

func TestThousands(t *testing.T) {
	for _, tc := range []struct {
		n    int
		want string
	}{{0, "0"}, {999, "999"}, {1000, "1,000"}, {85815, "85,815"}, {1234567, "1,234,567"}, {-1234, "-1,234"}} {
		if got := thousands(tc.n); got != tc.want {
			t.Errorf("thousands(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}

func TestPercentile(t *testing.T) {
	lat := make([]time.Duration, 100)
	for i := range lat {
		lat[i] = time.Duration(i+1) * time.Microsecond
	}
	for _, tc := range []struct {
		p    int
		want time.Duration
	}{{50, 51 * time.Microsecond}, {99, 100 * time.Microsecond}, {100, 100 * time.Microsecond}} {
		if got := Percentile(lat, tc.p); got != tc.want {
			t.Errorf("p%d = %v, want %v", tc.p, got, tc.want)
		}
	}
	if got := Percentile(nil, 50); got != 0 {
		t.Errorf("p50 of nothing = %v", got)
	}
}

func TestWriteTable(t *testing.T) {
	var b strings.Builder
	if err := writeTable(&b, []Row{{What: "a", Result: "1 | 2"}}); err != nil {
		t.Fatal(err)
	}
	want := "| measurement | result | reference, same run | note |\n|---|---|---|---|\n| a | 1 \\| 2 | — | — |\n"
	if b.String() != want {
		t.Fatalf("table:\n%s\nwant:\n%s", b.String(), want)
	}
}
