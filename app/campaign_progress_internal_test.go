package app

import (
	"testing"
	"time"

	"github.com/pwreset/pwreset/ports"
)

func TestProgressBar(t *testing.T) {
	for _, tc := range []struct {
		c       ports.Campaign
		elapsed time.Duration
		n       int
		want    string
	}{
		{ports.Campaign{Total: 100, Done: 0}, 0, 0, "[>                             ]   0.0%  0/100 users"},
		{ports.Campaign{Total: 100_000, Done: 45_000}, 10 * time.Second, 40_000,
			"[=============>                ]  45.0%  45000/100000 users  4000/s  ETA 14s"},
		{ports.Campaign{Total: 10, Done: 10}, time.Second, 10, "[==============================] 100.0%  10/10 users  10/s  ETA 0s"},
		{ports.Campaign{Total: 0, Done: 0}, time.Second, 0, "[==============================] 100.0%  0/0 users"},
	} {
		if got := bar(tc.c, tc.elapsed, tc.n); got != tc.want {
			t.Errorf("bar(%+v, %v, %d)\n got %q\nwant %q", tc.c, tc.elapsed, tc.n, got, tc.want)
		}
	}
}
