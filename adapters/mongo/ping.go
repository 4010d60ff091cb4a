package mongo

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
)

// Pinger implements ports.Pinger: readiness is MongoDB answering a ping in time.
type Pinger struct {
	db      *mongo.Database
	timeout time.Duration
}

// NewPinger returns the readiness check of db's deployment; each ping takes at most
// timeout (DefaultTimeout if timeout ≤ 0).
func NewPinger(db *mongo.Database, timeout time.Duration) *Pinger {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	return &Pinger{db: db, timeout: timeout}
}

// Ping runs MongoDB's ping command once. An unreachable or slow server wraps
// ports.ErrUnavailable.
func (p *Pinger) Ping(caller context.Context) error {
	ctx, cancel := context.WithTimeout(caller, p.timeout)
	defer cancel()
	if err := p.db.RunCommand(ctx, map[string]int{"ping": 1}).Err(); err != nil {
		return translate(caller, "ping", err)
	}
	return nil
}
