package mongo

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/pwreset/pwreset/ports"
)

// Config is what Open needs to reach MongoDB and lay out pwreset's collections.
type Config struct {
	// URI is the deployment's connection string (MONGODB_URI).
	URI string
	// Database holds users, outbox, rate limits and campaigns.
	Database string
	// Timeout bounds connecting and each call (DefaultTimeout if ≤ 0).
	Timeout time.Duration
	// Users says where users are found; its Timeout is Config's.
	Users UserMapping
	// RateLimitsCollection and OutboxCollection are pwreset's own collections
	// (defaults "rate_limits" and "outbox").
	RateLimitsCollection string
	OutboxCollection     string
	// RateLimitsKeep is how long rate-limit events must be kept: the longest window.
	RateLimitsKeep time.Duration
	// OutboxRetention is how long finished messages are kept.
	OutboxRetention time.Duration
	// LimitReasons are the reasons a message is refused for a limit, each with a
	// ticket index (see Outbox.EnsureIndexes).
	LimitReasons []string
	// ClientOptions are applied after the URI's (such as WithTracing's).
	ClientOptions []*options.ClientOptions
	// Log gets the warning of a failed disconnect; default slog.Default().
	Log *slog.Logger
}

// Open connects to MongoDB, makes the indexes pwreset's collections need, and
// returns every store of this backend over the one database, with its readiness
// check. close disconnects. On an error nothing stays connected.
func Open(ctx context.Context, cfg Config) (stores ports.Stores, close func(), err error) {
	client, err := Connect(ctx, cfg.URI, cfg.Timeout, cfg.ClientOptions...)
	if err != nil {
		return ports.Stores{}, nil, err
	}
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	log := cfg.Log
	if log == nil {
		log = slog.Default()
	}
	close = func() {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		if err := client.Disconnect(ctx); err != nil {
			log.Warn("disconnect from MongoDB", "error", err)
		}
	}
	db := client.Database(cfg.Database)
	limiter := NewRateLimiter(db, RateLimitConfig{Collection: cfg.RateLimitsCollection, Timeout: timeout})
	if err := limiter.EnsureIndexes(ctx, cfg.RateLimitsKeep); err != nil {
		close()
		return ports.Stores{}, nil, fmt.Errorf("prepare the rate-limit collection %q: %w", cfg.RateLimitsCollection, err)
	}
	users := cfg.Users
	users.Timeout = timeout
	box := NewOutbox(db, OutboxConfig{Collection: cfg.OutboxCollection, Timeout: timeout})
	if err := box.EnsureIndexes(ctx, cfg.OutboxRetention, cfg.LimitReasons...); err != nil {
		close()
		return ports.Stores{}, nil, fmt.Errorf("prepare the outbox collection %q: %w", cfg.OutboxCollection, err)
	}
	return ports.Stores{Users: NewUserStore(db, users), Outbox: box, Limiter: limiter,
		Campaigns: NewCampaignStore(db, "", timeout), Readiness: NewPinger(db, timeout),
		Name: "MongoDB", Timeout: timeout}, close, nil
}
