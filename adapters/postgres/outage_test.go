package postgres_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/pwreset/pwreset/adapters/postgres"
	"github.com/pwreset/pwreset/ports"
)

// TestOutage: with the server stopped, every store and the readiness ping answer ErrUnavailable (the
// API's 503) rather than hanging or failing otherwise; once it is back, the same
// stores work again without being rebuilt.
func TestOutage(t *testing.T) {
	s := startOwnServer(t, 2*time.Second)
	users, box, limiter, server := s.users, s.box, s.limiter, s.server
	calls := map[string]func(ctx context.Context) error{
		"FindByLogin": func(ctx context.Context) error { _, err := users.FindByLogin(ctx, "ann"); return err },
		"SetPassword": func(ctx context.Context) error {
			return users.SetPassword(ctx, ports.PasswordChange{UserID: "1", OldHash: "h1", NewHash: "h1", ChangedAt: time.Now()})
		},
		"Add": func(ctx context.Context) error {
			_, err := box.Add(ctx, ports.Message{Kind: "k"}, time.Now())
			return err
		},
		"Claim": func(ctx context.Context) error {
			_, err := box.Claim(ctx, "w", time.Now(), time.Minute)
			return ignore(err, ports.ErrNothingDue)
		},
		"MarkSentBatch": func(ctx context.Context) error {
			errs := box.MarkSentBatch(ctx, []ports.Delivery{{ID: "1", Owner: "w"}, {ID: "chosen-1", Owner: "w"}})
			return ignore(errors.Join(errs...), ports.ErrMessageNotFound)
		},
		"Allow": func(ctx context.Context) error {
			_, _, err := limiter.Allow(ctx, "k", 1000, time.Minute, time.Now())
			return err
		},
		"AddLimited": func(ctx context.Context) error {
			limits := []ports.Limit{{Key: "a", Max: 1, Window: time.Minute}, {Key: "b", Max: 9, Window: time.Hour}}
			_, _, err := box.AddLimited(ctx, ports.LimitedMessage{Message: ports.Message{Kind: "k"}, Limits: limits}, time.Now())
			return err
		},
		"Ping": postgres.NewPinger(s.pool, 2*time.Second).Ping,
	}
	for name, call := range calls {
		if err := call(testCtx(t)); err != nil {
			t.Fatalf("%s before the outage: %v", name, err)
		}
	}
	server.Stop()
	for name, call := range calls {
		if err := call(testCtx(t)); !errors.Is(err, ports.ErrUnavailable) {
			t.Errorf("%s during the outage: %v; want ErrUnavailable", name, err)
		}
	}
	server.Start()
	expectRecovery(t, "after the restart", calls)
}

// expectRecovery calls each of calls twice once the server is back: the first
// call may meet a connection that died with the server (ErrUnavailable, and the
// pool drops it), the second must succeed.
func expectRecovery(t *testing.T, when string, calls map[string]func(context.Context) error) {
	t.Helper()
	for name, call := range calls {
		if err := call(testCtx(t)); err != nil && !errors.Is(err, ports.ErrUnavailable) {
			t.Errorf("%s %s: %v", name, when, err)
		}
		if err := call(testCtx(t)); err != nil {
			t.Errorf("%s %s, again: %v", name, when, err)
		}
	}
}

func ignore(err, want error) error {
	if errors.Is(err, want) {
		return nil
	}
	return err
}
