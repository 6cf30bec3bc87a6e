package classify

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestDiffBuilderCountsCharacters(t *testing.T) {
	for _, tc := range []struct {
		name  string
		lines []string
		limit int
		want  string
	}{
		{"fits", []string{"ab", "cd"}, 5, "ab\ncd"},
		{"cut at a line boundary", []string{"ab", "cd"}, 4, "ab"},
		// "ü" is two bytes but one character: both lines fit in 5 characters.
		{"multi-byte characters", []string{"üü", "üü"}, 5, "üü\nüü"},
		{"empty first line", []string{"", "x"}, 10, "\nx"},
		{"long line shortened", []string{strings.Repeat("é", 1200)}, 4000, strings.Repeat("é", DiffLineLimit) + " [...]"},
		{"line at the limit kept", []string{strings.Repeat("日", DiffLineLimit)}, 4000, strings.Repeat("日", DiffLineLimit)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := NewDiffBuilder(tc.limit)
			for _, l := range tc.lines {
				d.AddLine(l)
			}
			if got := d.String(); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
			if n := utf8.RuneCountInString(d.String()); n > tc.limit {
				t.Errorf("%d characters over the limit %d", n, tc.limit)
			}
		})
	}
}
