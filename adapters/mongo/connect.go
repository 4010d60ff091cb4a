package mongo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"
)

// Connect returns a client of the deployment at uri once it has answered a ping,
// or an error within timeout (DefaultTimeout if timeout ≤ 0). The driver connects
// lazily and by default waits 30s for a server, so Connect makes timeout the
// server-selection and connect timeout too: an operation on a server that went
// away then fails in that time instead of hanging. A serverSelectionTimeoutMS or
// connectTimeoutMS in uri still wins. Writes default to the write concern
// "majority" (a "w" in uri wins), so that no write answered as done can be
// rolled back by a failover. An unreachable deployment wraps
// ports.ErrUnavailable.
//
// Extra options (such as WithTracing's) are applied after the URI's.
func Connect(ctx context.Context, uri string, timeout time.Duration, extra ...*options.ClientOptions) (*mongo.Client, error) {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	opts := options.Client().
		SetServerSelectionTimeout(timeout).
		SetConnectTimeout(timeout).
		ApplyURI(uri)
	if opts.WriteConcern == nil {
		// A write answered as done survives a failover: on a replica set it is on a
		// majority of its members (a standalone server takes it as w:1). A "w" in
		// the URI still wins.
		opts.SetWriteConcern(writeconcern.Majority())
	}
	client, err := mongo.Connect(append([]*options.ClientOptions{opts}, extra...)...)
	if err != nil {
		// The URI is not echoed: it may hold a password.
		return nil, fmt.Errorf("mongo: invalid MongoDB URI or options: %w", err)
	}

	pingCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err = client.Ping(pingCtx, nil); err != nil {
		// Disconnect gets a context of its own: pingCtx may be spent already.
		dctx, dcancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
		defer dcancel()
		_ = client.Disconnect(dctx)
		return nil, translate(ctx, fmt.Sprintf(
			"ping MongoDB at %s (timeout %s); check that the server runs, that this host "+
				"can reach it, and the URI's host, port, credentials and TLS options",
			strings.Join(opts.Hosts, ","), timeout), err)
	}
	return client, nil
}
