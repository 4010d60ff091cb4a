package memory

import (
	"container/list"
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/pwreset/pwreset/ports"
)

// MaxEventsPerKey bounds the events a RateLimiter keeps for one key. A key keeps at
// most as many as its largest limit, since only the newest limit events decide an
// answer; a limit above this bound (math.MaxInt32 means "no cap, but record it")
// counts at most this many, so it is never reached, as it would not be in practice.
const MaxEventsPerKey = 1 << 16

// MaxKeys bounds the keys a RateLimiter keeps: beyond it, the key hit least recently
// is forgotten. Each unknown login asking for a link has keys of its own, kept for a
// day; without a bound a bot trying new names would grow demo mode's memory by some
// 350 bytes a request. 100,000 keys take about 35 MiB.
const MaxKeys = 100_000

// RateLimiter keeps rate-limit events in memory: the limits hold within one
// process only, and start afresh when it restarts.
//
// Its cost per call does not grow with history: a key's events are kept sorted by
// time, those older than the key's longest window are pruned as it goes (its latest
// event stays, for Latest), and at most its largest limit of them are kept. Purge
// drops old events and the keys it empties; beyond MaxKeys keys, the least recently
// hit goes.
type RateLimiter struct {
	mu      *sync.Mutex // an Outbox sharing the events holds it too
	keys    map[string]*events
	recent  *list.List // of keys, the most recently hit first
	maxKeys int
}

// events are one key's, sorted by time, with the largest window and limit it was
// asked about. Times are Unix nanoseconds: memory the garbage collector need not
// scan, a third of a time.Time's.
type events struct {
	at     []int64
	window time.Duration
	limit  int
	place  *list.Element // in RateLimiter.recent
}

var _ ports.RateLimiter = (*RateLimiter)(nil)

// NewRateLimiter returns a limiter that holds no events.
func NewRateLimiter() *RateLimiter {
	return &RateLimiter{mu: new(sync.Mutex), keys: map[string]*events{}, recent: list.New(), maxKeys: MaxKeys}
}

// Allow implements ports.RateLimiter. Events after now count as well: only a clock
// set back records them, and counting them errs on the side of the limit.
func (r *RateLimiter) Allow(_ context.Context, key string, limit int, window time.Duration, now time.Time) (bool, time.Duration, error) {
	if limit < 1 || window <= 0 {
		return false, 0, fmt.Errorf("memory: rate limit of %d per %s: want at least 1 per positive window", limit, window)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	ok, retry := r.allow(key, limit, window, now)
	return ok, retry, nil
}

// allow is Allow under r.mu.
func (r *RateLimiter) allow(key string, limit int, window time.Duration, now time.Time) (bool, time.Duration) {
	ev := r.touch(key)
	ev.window, ev.limit = max(ev.window, window), max(ev.limit, min(limit, MaxEventsPerKey))
	defer ev.prune(now)
	if retry, full := ev.full(limit, window, now); full {
		return false, retry
	}
	ev.record(now)
	return true, 0
}

// full reports whether the window before now holds limit events, and if so how
// long until it does not.
func (ev *events) full(limit int, window time.Duration, now time.Time) (time.Duration, bool) {
	if len(ev.at)-ev.after(now.Add(-window)) < limit {
		return 0, false
	}
	// A hit is allowed again once fewer than limit events remain in the window:
	// when the limit-th newest leaves it. Usually that is the oldest; not when the
	// window is longer than that of earlier hits.
	return time.Duration(ev.at[len(ev.at)-limit]-now.UnixNano()) + window, true
}

// touch returns key's events, new if it has none, and marks it the most recently
// hit; a new key beyond maxKeys pushes out the least recently hit.
func (r *RateLimiter) touch(key string) *events {
	if ev := r.keys[key]; ev != nil {
		r.recent.MoveToFront(ev.place)
		return ev
	}
	ev := &events{place: r.recent.PushFront(key)}
	r.keys[key] = ev
	if len(r.keys) > r.maxKeys {
		r.forget(r.recent.Back().Value.(string))
	}
	return ev
}

// forget drops a key and its events.
func (r *RateLimiter) forget(key string) {
	if ev := r.keys[key]; ev != nil {
		r.recent.Remove(ev.place)
		delete(r.keys, key)
	}
}

// after returns the index of the first event after t.
func (ev *events) after(t time.Time) int {
	i, _ := slices.BinarySearchFunc(ev.at, t.UnixNano(), func(at, t int64) int {
		if at > t {
			return 1
		}
		return -1
	})
	return i
}

// record inserts an event at now in its place: the last, unless the clock went back.
func (ev *events) record(now time.Time) {
	ev.at = slices.Insert(ev.at, ev.after(now), now.UnixNano())
	if extra := len(ev.at) - ev.limit; extra > 0 {
		ev.at = ev.at[extra:]
	}
}

// prune drops the events older than the key's longest window, but the latest.
// Reslicing leaves the dropped ones behind in the array until append moves it.
func (ev *events) prune(now time.Time) {
	old := min(ev.after(now.Add(-ev.window)), len(ev.at)-1)
	if old > 0 {
		ev.at = ev.at[old:]
	}
}

// Latest implements ports.RateLimiter.
func (r *RateLimiter) Latest(_ context.Context, key string) (time.Time, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.latest(key), nil
}

// latest is Latest under r.mu.
func (r *RateLimiter) latest(key string) time.Time {
	if ev := r.keys[key]; ev != nil && len(ev.at) > 0 {
		return time.Unix(0, ev.at[len(ev.at)-1]).UTC()
	}
	return time.Time{}
}

// Purge implements ports.RateLimiter.
func (r *RateLimiter) Purge(_ context.Context, cutoff time.Time) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for key, ev := range r.keys {
		kept := slices.DeleteFunc(ev.at, func(at int64) bool { return at < cutoff.UnixNano() })
		n += len(ev.at) - len(kept)
		if len(kept) == 0 {
			r.forget(key) // so that the map does not grow with every key ever seen
		} else {
			ev.at = kept
		}
	}
	return n, nil
}
