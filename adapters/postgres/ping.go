package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/pwreset/pwreset/ports"
)

// Pinger implements ports.Pinger: readiness is PostgreSQL answering a ping in time.
type Pinger struct {
	pool    *pgxpool.Pool
	timeout time.Duration
}

var _ ports.Pinger = (*Pinger)(nil)

// NewPinger returns the readiness check of pool's server; each ping takes at most
// timeout.
func NewPinger(pool *pgxpool.Pool, timeout time.Duration) *Pinger {
	return &Pinger{pool: pool, timeout: timeout}
}

// Ping runs one empty statement on a pooled connection. An unreachable or slow
// server wraps ports.ErrUnavailable.
func (p *Pinger) Ping(caller context.Context) error {
	ctx, cancel := context.WithTimeout(caller, p.timeout)
	defer cancel()
	if err := p.pool.Ping(ctx); err != nil {
		return translate(caller, "ping", err)
	}
	return nil
}
