package sim

import (
	"github.com/pwreset/pwreset/adapters/memory"
	"github.com/pwreset/pwreset/ports"
)

// Memory is the Backend of the in-memory adapters, on which a seed replays
// exactly. The outbox and the limiter share their events, and judge leases and
// due times by true time, as one database server would.
func Memory(clock ports.Clock, users []ports.User) (Stores, []ports.User, func(), error) {
	st := memory.NewStore(clock, memory.OutboxBounds{})
	return Stores{
		Users:   memory.NewUserStore([]string{"username"}, users...),
		Outbox:  st.Outbox,
		Limiter: st.Limiter,
	}, users, nil, nil
}
