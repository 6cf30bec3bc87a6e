package perf

import (
	"strings"
	"testing"
	"time"

	"github.com/commit-labeler/commit-labeler/classify"
	"github.com/commit-labeler/commit-labeler/pipeline"
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

func TestCurveRows(t *testing.T) {
	at := func(n int64, s float64) CurvePoint {
		return CurvePoint{N: n, U: Usage{Wall: time.Duration(s * float64(time.Second))}}
	}
	for _, tc := range []struct {
		name   string
		points []CurvePoint
		want   []string
	}{
		{"fixed cost plus linear", []CurvePoint{at(10000, 30), at(20000, 50), at(40000, 90)},
			[]string{"", "", "1.00× the 90.0 s of the line through the smaller samples: linear"}},
		{"quadratic", []CurvePoint{at(10000, 10), at(20000, 40), at(40000, 160)},
			[]string{"", "", "1.60× the 100.0 s of the line through the smaller samples: superlinear"}},
		{"flat below 20k, then linear: a measured curve up to 85,815 commits", []CurvePoint{at(10000, 10.9), at(20000, 11.2), at(40000, 18.3), at(85815, 32.5)},
			[]string{"", "", "", "1.09× the 29.8 s of the line through the smaller samples: linear"}},
		{"two points: no verdict", []CurvePoint{at(10000, 10), at(20000, 40)}, []string{"", ""}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rows := CurveRows("k", tc.points)
			for i, r := range rows {
				if r.Note != tc.want[i] {
					t.Errorf("row %d note %q, want %q", i, r.Note, tc.want[i])
				}
			}
		})
	}
	if r := CurveRows("k", []CurvePoint{at(10000, 30), at(20000, 50)})[1]; r.Reference != "2.50 s per 1k commits; marginal 2.00 s per 1k" {
		t.Errorf("reference %q", r.Reference)
	}
}

func TestEncoderRow(t *testing.T) {
	counts := pipeline.Counts{pipeline.CountExamples: 1000, pipeline.CountSampledOut: 84815}
	u := Usage{Wall: 100 * time.Second, MaxRSS: 3 << 29}
	for _, tc := range []struct{ kind, what string }{
		{classify.KindEmbedMLP, "training embed_mlp on 1,000 commits with a sentence encoder of all-MiniLM-L6-v2's shape: 6 layers, 384 wide, 12 heads"},
		{classify.KindTransformer, "importing a transformer classifier of all-MiniLM-L6-v2's shape: 6 layers, 384 wide, 12 heads, scored on 1,000 commits"},
	} {
		r := EncoderRow(tc.kind, u, counts)
		if r.What != tc.what || r.Result != "100.0 s, 1.5 GiB peak RSS" ||
			r.Reference != "100 ms per commit; the whole corpus (85,815 commits) at that rate: 2.4 h" ||
			!strings.HasSuffix(r.Note, "random weights: cost, not quality") {
			t.Errorf("%s: %+v", tc.kind, r)
		}
	}
}
