package memory

import (
	"time"

	"github.com/pwreset/pwreset/ports"
)

// firstFull returns the index of the first limit without room at now; -1 if every
// one has. r.mu is held.
func (r *RateLimiter) firstFull(limits []ports.Limit, now time.Time) int {
	for i, l := range limits {
		if ev := r.keys[l.Key]; ev != nil {
			if _, full := ev.full(l.Max, l.Window, now); full {
				return i
			}
		}
	}
	return -1
}

// recordAll records an event at now of every limit's key; r.mu is held.
func (r *RateLimiter) recordAll(limits []ports.Limit, now time.Time) {
	for _, l := range limits {
		r.allow(l.Key, l.Max, l.Window, now)
	}
}
