package outbox

import (
	"errors"
	"fmt"
	"time"
)

// Config holds the settings of the Dispatcher.
type Config struct {
	// Workers is how many messages one process sends at a time (MAIL_WORKERS).
	Workers int
	// PollInterval is how often an idle worker looks for due messages it was not woken
	// for: those stored by other processes, and retries left by stopped ones
	// (OUTBOX_POLL_INTERVAL).
	PollInterval time.Duration
	// Lease is how long a claimed message belongs to its worker (MAIL_LEASE). A send
	// is cut off at three quarters of it, so it must exceed the mailer's own timeout.
	Lease time.Duration
	// MaxAge is how long after it was stored a message may still be sent (MAIL_MAX_AGE):
	// a reset link older than that is useless, so the message fails instead.
	MaxAge time.Duration
	// KeepTrying lists the kinds of message MaxAge does not fail: the password-changed
	// notice, which tells of a change however late it comes. They are retried until
	// sent, or until the provider refuses them for good.
	KeepTrying []string
	// Events lists the outcomes of delivery that are announced as events
	// (domain/event), named as the audit log names them: "reset_link.sent",
	// "reset_link.failed". Empty: none.
	Events []string
	// Retention is how long the metadata of sent and failed messages is kept
	// (OUTBOX_RETENTION); zero keeps it for ever.
	Retention time.Duration
	// RetryMin is the first wait after a temporary failure (MAIL_RETRY_MIN).
	RetryMin time.Duration
	// RetryMax caps the wait, which doubles with each attempt (MAIL_RETRY_MAX).
	RetryMax time.Duration
	// Grace is how long sends in flight at shutdown may take to finish.
	Grace time.Duration

	// Owner names the dispatcher in the shared outbox; empty: its host, process id
	// and a random number. Each dispatcher sharing an outbox needs a name of its own.
	Owner string
	// Jitter returns a random duration in [0, n], to spread retries; nil: math/rand.
	// A seeded simulation gives its own, safe for concurrent use.
	Jitter func(n time.Duration) time.Duration
}

// DefaultConfig returns the settings used when none are given.
func DefaultConfig() Config {
	return Config{
		Workers:      16,
		PollInterval: 5 * time.Second,
		Lease:        time.Minute,
		MaxAge:       time.Hour,
		Retention:    7 * 24 * time.Hour,
		RetryMin:     2 * time.Second,
		RetryMax:     5 * time.Minute,
		Grace:        10 * time.Second,
	}
}

// Validate reports every setting the Dispatcher cannot work with, one per line.
func (c Config) Validate() error {
	var errs []error
	check := func(ok bool, format string, args ...any) {
		if !ok {
			errs = append(errs, fmt.Errorf(format, args...))
		}
	}
	check(c.Workers >= 1, "MAIL_WORKERS must be at least 1, not %d", c.Workers)
	check(c.PollInterval > 0, "OUTBOX_POLL_INTERVAL must be positive, not %s", c.PollInterval)
	check(c.Lease > 0, "MAIL_LEASE must be positive, not %s", c.Lease)
	check(c.MaxAge > 0, "MAIL_MAX_AGE must be positive, not %s", c.MaxAge)
	check(c.Retention >= 0, "OUTBOX_RETENTION must not be negative, not %s", c.Retention)
	check(c.RetryMin > 0, "MAIL_RETRY_MIN must be positive, not %s", c.RetryMin)
	check(c.RetryMax >= c.RetryMin, "MAIL_RETRY_MAX (%s) must not be below MAIL_RETRY_MIN (%s)", c.RetryMax, c.RetryMin)
	check(c.Grace >= 0, "the shutdown grace must not be negative, not %s", c.Grace)
	return errors.Join(errs...)
}
