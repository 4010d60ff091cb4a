package postgres

import (
	"context"
	"log/slog"
	"time"

	"github.com/pwreset/pwreset/ports"
)

// Config is what Open needs to reach PostgreSQL and the team's users table.
type Config struct {
	// URL is the server's connection URL (DATABASE_URL); see Connect.
	URL string
	// Timeout bounds connecting and each call (DefaultTimeout if ≤ 0).
	Timeout time.Duration
	// Users says where users are found; its Timeout is Config's.
	Users UserMapping
	// Options are applied to the pool last (such as WithTracing).
	Options []Option
	// Log gets the line saying which migrations ran; default slog.Default().
	Log *slog.Logger
}

// ConnectError is Open's error when no connection could be made: the URL does not
// parse or the server does not answer. Other errors of Open come after connecting.
type ConnectError struct{ Err error }

func (e *ConnectError) Error() string { return e.Err.Error() }

// Unwrap returns the error of Connect.
func (e *ConnectError) Unwrap() error { return e.Err }

// Open connects to PostgreSQL, brings pwreset's own tables up to date (see
// Migrate), checks the users table against the mapping (its error joins a
// *SchemaError per problem), and returns every store of this backend over the one
// pool, with its readiness check. close closes the pool. On an error nothing stays
// connected.
func Open(ctx context.Context, cfg Config) (stores ports.Stores, close func(), err error) {
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	pool, err := Connect(ctx, cfg.URL, timeout, cfg.Options...)
	if err != nil {
		return ports.Stores{}, nil, &ConnectError{err}
	}
	applied, err := Migrate(ctx, pool)
	if err != nil {
		pool.Close()
		return ports.Stores{}, nil, err
	}
	if len(applied) > 0 {
		log := cfg.Log
		if log == nil {
			log = slog.Default()
		}
		log.Info("migrated pwreset's tables", "versions", applied)
	}
	mapping := cfg.Users
	mapping.Timeout = timeout
	users, err := NewUserStore(ctx, pool, mapping)
	if err != nil {
		pool.Close()
		return ports.Stores{}, nil, err
	}
	return ports.Stores{Users: users, Outbox: NewOutbox(pool, timeout), Limiter: NewRateLimiter(pool, timeout),
		Campaigns: NewCampaignStore(pool, timeout), Readiness: NewPinger(pool, timeout),
		Name: "PostgreSQL", Timeout: timeout}, pool.Close, nil
}
