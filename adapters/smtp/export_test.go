package smtp

import "time"

// Age makes the idle connections look d older, as if they had waited that long.
func (m *Mailer) Age(d time.Duration) {
	for range len(m.pool.idle) {
		c := <-m.pool.idle
		c.since = c.since.Add(-d)
		m.pool.idle <- c
	}
}

// CheckAfter is how long a kept connection waits before it is checked with NOOP.
const CheckAfter = checkAfter

// CRLF is how a BDAT chunk's line endings are made CRLF.
var CRLF = crlf

// Limit makes the connections the mailer dials from now on use no pipelining, or
// no BDAT, whatever the relay offers: to compare the three ways of sending.
func (m *Mailer) Limit(noPipelining, noChunking bool) {
	m.pool.noPipelining, m.pool.noChunking = noPipelining, noChunking
}
