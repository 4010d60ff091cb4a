package sim

import (
	"github.com/pwreset/pwreset/adapters/memory"
	"github.com/pwreset/pwreset/ports"
)

// Memory is the Backend of the in-memory adapters, on which a seed replays exactly.
func Memory(users []ports.User) (Stores, []ports.User, func(), error) {
	return Stores{
		Users:   memory.NewUserStore([]string{"username"}, users...),
		Outbox:  memory.NewOutbox(),
		Limiter: memory.NewRateLimiter(),
	}, users, nil, nil
}
