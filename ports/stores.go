package ports

import "time"

// Stores are everything one backend (memory, MongoDB, PostgreSQL) provides. They
// come as one value because one backend provides all of them at once, sharing one
// database (or one memory store): the outbox and the rate limiter count the same
// events, a campaign and the e-mails it queues are kept side by side, and readiness
// pings the database they all live in. Choosing the backend is then one choice, made
// in one place, never a store at a time.
type Stores struct {
	// Users finds users and sets their passwords.
	Users UserStore
	// Outbox holds the e-mails and events waiting for delivery.
	Outbox Outbox
	// Limiter counts requests against the rate limits, shared by every instance.
	Limiter RateLimiter
	// Campaigns keeps the breach-response campaigns.
	Campaigns CampaignStore
	// Readiness pings the database the stores live in; nil when there is none to
	// wait for (memory), which is always ready.
	Readiness Pinger
	// Name names the backend in readiness reasons and logs ("MongoDB", "PostgreSQL").
	Name string
	// Timeout bounds one call of these stores: readiness and the metrics' reads wait
	// no longer for them.
	Timeout time.Duration
}
