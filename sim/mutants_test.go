package sim_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/pwreset/pwreset/ports"
	"github.com/pwreset/pwreset/sim"
)

// TestSimCatchesBrokenStores shows that the invariants are not vacuous: each
// store below breaks one guarantee, and the simulator must find the invariant
// that guarantee upholds broken within a few hundred seeds.
func TestSimCatchesBrokenStores(t *testing.T) {
	mutants := []struct {
		name, want string
		mutate     func(*sim.Stores)
	}{
		{"compare-and-set that overwrites", "I4", func(s *sim.Stores) { s.Users = blindUsers{s.Users} }},
		{"limits never full", "I3", func(s *sim.Stores) { s.Outbox = roomyOutbox{s.Outbox} }},
		{"claims that ignore leases", "I6", func(s *sim.Stores) { s.Outbox = &greedyOutbox{Outbox: s.Outbox} }},
		{"held notices dropped", "I1", func(s *sim.Stores) { s.Outbox = deafOutbox{s.Outbox} }},
		{"links counted but not queued", "I2", func(s *sim.Stores) { s.Outbox = lossyOutbox{s.Outbox} }},
		{"passwords never written", "I5", func(s *sim.Stores) { s.Users = stuckUsers{s.Users} }},
		{"batches that record nothing", "I6", func(s *sim.Stores) { s.Outbox = idleBatches{s.Outbox} }},
	}
	for _, m := range mutants {
		t.Run(m.name, func(t *testing.T) {
			var broken sim.Backend = func(clock ports.Clock, users []ports.User) (sim.Stores, []ports.User, func(), error) {
				s, u, c, err := sim.Memory(clock, users)
				m.mutate(&s)
				return s, u, c, err
			}
			for seed := uint64(1); seed <= 400; seed++ {
				r, err := sim.Run(sim.Generate(seed), broken)
				if err != nil {
					t.Fatal(err)
				}
				for _, v := range r.Violations {
					if strings.HasPrefix(v, m.want+":") {
						t.Logf("seed %d: %s", seed, v)
						return
					}
				}
			}
			t.Errorf("no %s violation in 400 seeds", m.want)
		})
	}
}

// idleBatches answers every delivery of a batch recorded, and records none.
type idleBatches struct{ ports.Outbox }

func (o idleBatches) MarkSentBatch(_ context.Context, ds []ports.Delivery) []error {
	return make([]error, len(ds))
}

// blindUsers writes a new password whatever hash is stored.
type blindUsers struct{ ports.UserStore }

func (u blindUsers) SetPassword(ctx context.Context, c ports.PasswordChange) error {
	now, err := u.FindByID(ctx, c.UserID)
	if err != nil {
		return err
	}
	c.OldHash = now.PasswordHash
	return u.UserStore.SetPassword(ctx, c)
}

// roomyOutbox counts links but never refuses one.
type roomyOutbox struct{ ports.Outbox }

func (o roomyOutbox) AddLimited(ctx context.Context, m ports.LimitedMessage, now time.Time) (string, int, error) {
	for i := range m.Limits {
		m.Limits[i].Max = 1 << 30
	}
	return o.Outbox.AddLimited(ctx, m, now)
}

// greedyOutbox claims a message again while another worker holds it: it hands
// out the last claimed message once more, if that is still being sent.
type greedyOutbox struct {
	ports.Outbox
	last string
}

func (o *greedyOutbox) Claim(ctx context.Context, owner string, now time.Time, lease time.Duration) (ports.Envelope, error) {
	if env, err := o.Get(ctx, o.last); o.last != "" && err == nil && env.State == ports.StateSending {
		o.last = ""
		env.LeaseOwner = owner
		return env, nil
	}
	env, err := o.Outbox.Claim(ctx, owner, now, lease)
	if err == nil {
		o.last = env.ID
	}
	return env, err
}

// deafOutbox drops every password-changed notice as soon as it is held.
type deafOutbox struct{ ports.Outbox }

func (o deafOutbox) Add(ctx context.Context, msg ports.Message, now time.Time) (string, error) {
	id, err := o.Outbox.Add(ctx, msg, now)
	if err == nil && msg.Kind == "password_changed" {
		err = o.Outbox.Delete(ctx, id)
	}
	return id, err
}

// lossyOutbox counts every link, but stores it suppressed.
type lossyOutbox struct{ ports.Outbox }

func (o lossyOutbox) AddLimited(ctx context.Context, m ports.LimitedMessage, now time.Time) (string, int, error) {
	m.Suppress = "lost"
	return o.Outbox.AddLimited(ctx, m, now)
}

// stuckUsers refuses every password write.
type stuckUsers struct{ ports.UserStore }

func (u stuckUsers) SetPassword(context.Context, ports.PasswordChange) error {
	return ports.ErrWriteRefused
}
