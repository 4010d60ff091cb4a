// Package system holds the adapters backed by the operating system: the wall clock.
package system

import "time"

// Clock is the real clock.
type Clock struct{}

// NewClock returns the real clock.
func NewClock() Clock { return Clock{} }

// Now implements ports.Clock.
func (Clock) Now() time.Time { return time.Now() }
