// Package portstest holds test doubles of the ports that the tests of every layer
// share, as net/http/httptest does for net/http.
package portstest

import (
	"sync"
	"time"
)

// Clock is a ports.Clock that stands still until the test moves it; it is safe
// for concurrent use.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock that reads now.
func NewClock(now time.Time) *Clock { return &Clock{now: now} }

// Now implements ports.Clock.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Add moves the clock d forward.
func (c *Clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
