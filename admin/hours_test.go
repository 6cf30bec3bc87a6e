package admin

import (
	"strconv"
	"testing"
	"time"

	"github.com/commit-labeler/commit-labeler/store"
)

// TestHourRowsFoldQuietHours: each run of hours without a delivery is one
// row naming its span, the day at its end too when it crosses midnight.
func TestHourRowsFoldQuietHours(t *testing.T) {
	now := time.Date(2026, 12, 5, 14, 30, 0, 0, time.UTC)
	at := func(hour int) time.Time { return time.Date(2026, 12, 5, hour, 0, 0, 0, time.UTC) }
	since := now.Truncate(time.Hour).Add(-23 * time.Hour)
	for _, tc := range []struct {
		name    string
		counted []store.HourlyDeliveries
		want    []string
	}{
		{"no delivery", nil, []string{"2026-12-04 15:00 no deliveries 15:00–2026-12-05 15:00"}},
		{"busy now", []store.HourlyDeliveries{{Hour: at(14), Done: 2}},
			[]string{"2026-12-05 14:00 2", "2026-12-04 15:00 no deliveries 15:00–2026-12-05 14:00"}},
		{"quiet between", []store.HourlyDeliveries{{Hour: at(3), Failed: 1}, {Hour: at(14), Done: 1}}, []string{
			"2026-12-05 14:00 1", "2026-12-05 04:00 no deliveries 04:00–14:00", "2026-12-05 03:00 1",
			"2026-12-04 15:00 no deliveries 15:00–2026-12-05 03:00"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rows := hourRows(tc.counted, since, now)
			var got []string
			for _, r := range rows {
				if r.Empty != "" {
					got = append(got, r.Hour+" "+r.Empty)
				} else {
					got = append(got, r.Hour+" "+strconv.Itoa(r.Total))
				}
			}
			if len(got) != len(tc.want) {
				t.Fatalf("rows %q, want %q", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("row %d %q, want %q", i, got[i], tc.want[i])
				}
			}
		})
	}
}
