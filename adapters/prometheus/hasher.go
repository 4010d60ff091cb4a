package prometheus

import (
	"time"

	"github.com/pwreset/pwreset/ports"
)

// TimedHasher is a ports.PasswordHasher that records how long each Hash takes.
type TimedHasher struct {
	next ports.PasswordHasher
	m    *Metrics
}

// TimeHasher returns h, timed into pwreset_password_hash_duration_seconds. Wrap the
// algorithm itself, inside any pool, so that the histogram shows the cost of a hash
// and not the wait for a slot.
func (m *Metrics) TimeHasher(h ports.PasswordHasher) *TimedHasher {
	return &TimedHasher{next: h, m: m}
}

// Hash implements ports.PasswordHasher.
func (t *TimedHasher) Hash(password string) (string, error) {
	start := time.Now()
	hash, err := t.next.Hash(password)
	t.m.hashes.Observe(time.Since(start).Seconds())
	return hash, err
}

// Verify implements ports.PasswordHasher; it is not timed (resets never verify).
func (t *TimedHasher) Verify(hash, password string) (bool, error) {
	return t.next.Verify(hash, password)
}
