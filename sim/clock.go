package sim

import "time"

// epoch is when every run starts, in virtual time.
var epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// vclock is the shared virtual clock: true time, which only the schedule moves.
// Only one goroutine runs at a time, and each hands over to the next through a
// channel, so it needs no lock.
type vclock struct{ now time.Time }

// Now implements ports.Clock: true time.
func (c *vclock) Now() time.Time          { return c.now }
func (c *vclock) advance(d time.Duration) { c.now = c.now.Add(d) }

// skewed is an instance's clock: true time off by the instance's skew.
type skewed struct {
	v    *vclock
	skew time.Duration
}

// Now implements ports.Clock.
func (c skewed) Now() time.Time { return c.v.now.Add(c.skew) }
