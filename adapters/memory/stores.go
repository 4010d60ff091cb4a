package memory

import (
	"iter"
	"time"

	"github.com/pwreset/pwreset/ports"
)

// Timeout is the bound the memory backend puts on a call: it never waits on
// anything outside the process, so this only keeps callers' deadlines finite.
const Timeout = 5 * time.Second

// Config is what the memory backend starts with.
type Config struct {
	// Clock judges the outbox's due times and leases, as a database server's clock
	// would; nil leaves that to the callers' now.
	Clock ports.Clock
	// Outbox bounds what the outbox keeps of finished messages.
	Outbox OutboxBounds
	// LoginFields are the login fields users are looked up by, in order.
	LoginFields []string
	// Users are the users the store starts with, in order; nil: none. A sequence,
	// not a slice, so that a million seeded users are never held twice.
	Users iter.Seq[ports.User]
}

// NewStores returns the memory backend: users, an outbox and a rate limiter sharing
// their events (see Store), and campaigns, all in this process's memory and lost
// with it. There is no database to wait for: readiness is always ready.
func NewStores(cfg Config) ports.Stores {
	users := NewUserStore(cfg.LoginFields)
	if cfg.Users != nil {
		for u := range cfg.Users {
			users.Add(u)
		}
	}
	store := NewStore(cfg.Clock, cfg.Outbox)
	return ports.Stores{Users: users, Outbox: store.Outbox, Limiter: store.Limiter, Campaigns: NewCampaignStore(),
		Name: "memory", Timeout: Timeout}
}
