package memory

import (
	"context"
	"math"
	"testing"
	"time"
)

var start = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// TestRateLimiterPrunes: a key keeps no events older than its longest window but
// its latest, and no more than its largest limit, however long it is hammered.
func TestRateLimiterPrunes(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name   string
		limit  int
		window time.Duration
		hits   int
		every  time.Duration
		max    int // events the key may hold
	}{
		{"window", 1000, time.Minute, 5000, time.Second, 61}, // 60 in the window, the one at its edge
		{"limit", 10, time.Hour, 5000, time.Millisecond, 10},
		{"no cap", math.MaxInt32, time.Hour, 5000, time.Second, 3601},
		{"cooldown", 1, time.Minute, 5000, time.Second, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := NewRateLimiter()
			for i := range c.hits {
				if _, _, err := r.Allow(ctx, "k", c.limit, c.window, start.Add(time.Duration(i)*c.every)); err != nil {
					t.Fatal(err)
				}
			}
			if n := len(r.keys["k"].at); n > c.max {
				t.Errorf("key holds %d events after %d hits; want at most %d", n, c.hits, c.max)
			}
			last := start.Add(time.Duration(c.hits-1) * c.every)
			if latest, _ := r.Latest(ctx, "k"); c.limit > 1 && c.every >= time.Second && !latest.Equal(last) {
				t.Errorf("Latest = %v; want %v", latest, last)
			}
		})
	}
}

// TestRateLimiterKeepsLatest: pruning leaves the latest event of a quiet key, which
// Latest reports (it tells which links are older than the user's newest); Purge
// drops it, and the key with it.
func TestRateLimiterKeepsLatest(t *testing.T) {
	ctx := context.Background()
	r := NewRateLimiter()
	r.Allow(ctx, "k", 5, time.Minute, start)
	r.Allow(ctx, "k", 5, time.Minute, start.Add(time.Second))
	r.Allow(ctx, "other", 5, time.Minute, start.Add(time.Hour)) // no effect on "k"
	r.Allow(ctx, "k", 5, time.Minute, start.Add(time.Hour))     // prunes the first two
	if n := len(r.keys["k"].at); n != 1 {
		t.Fatalf("key holds %d events; want 1", n)
	}
	if latest, _ := r.Latest(ctx, "k"); !latest.Equal(start.Add(time.Hour)) {
		t.Fatalf("Latest = %v", latest)
	}
	if n, _ := r.Purge(ctx, start.Add(2*time.Hour)); n != 2 || len(r.keys) != 0 {
		t.Fatalf("Purge = %d, %d keys left; want 2 and none", n, len(r.keys))
	}
}

// TestRateLimiterClockBack: an event recorded after a later one (a clock set back)
// takes its place in time order, so counts and Latest stay right.
func TestRateLimiterClockBack(t *testing.T) {
	ctx := context.Background()
	r := NewRateLimiter()
	for _, s := range []int{10, 5, 7} {
		if ok, _, _ := r.Allow(ctx, "k", 3, time.Minute, start.Add(time.Duration(s)*time.Second)); !ok {
			t.Fatalf("hit at %ds refused", s)
		}
	}
	ok, retry, _ := r.Allow(ctx, "k", 3, time.Minute, start.Add(20*time.Second))
	if ok || retry != 45*time.Second { // the oldest, at 5 s, leaves at 65 s
		t.Fatalf("fourth hit: %v, retry %s; want refused, 45s", ok, retry)
	}
	if latest, _ := r.Latest(ctx, "k"); !latest.Equal(start.Add(10 * time.Second)) {
		t.Fatalf("Latest = %v; want start+10s", latest)
	}
}

// TestRateLimiterMaxKeys: beyond maxKeys, the key hit least recently is forgotten
// (a bot trying new logins cannot grow memory without bound); keys hit since stay,
// and Purge keeps the bookkeeping in step.
func TestRateLimiterMaxKeys(t *testing.T) {
	ctx := context.Background()
	r := NewRateLimiter()
	r.maxKeys = 3
	hit := func(key string, s int) bool {
		ok, _, err := r.Allow(ctx, key, 1, time.Hour, start.Add(time.Duration(s)*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	hit("a", 0)
	hit("b", 1)
	hit("c", 2)
	hit("a", 3) // refused, but a is now the most recently hit
	hit("d", 4) // pushes out b
	if len(r.keys) != 3 || r.recent.Len() != 3 {
		t.Fatalf("%d keys, %d in the recency list; want 3 and 3", len(r.keys), r.recent.Len())
	}
	if hit("a", 5) || hit("c", 6) {
		t.Fatal("a key hit recently was forgotten: its cooldown no longer holds")
	}
	if !hit("b", 7) {
		t.Fatal("the least recently hit key was kept")
	}
	if n, _ := r.Purge(ctx, start.Add(time.Minute)); n != 3 || len(r.keys) != 0 || r.recent.Len() != 0 {
		t.Fatalf("Purge = %d, %d keys and %d in the list left; want 3, 0, 0", n, len(r.keys), r.recent.Len())
	}
}
