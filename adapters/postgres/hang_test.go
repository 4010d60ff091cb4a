package postgres_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/pwreset/pwreset/ports"
)

// TestHungServer: a server that stops answering (frozen: its connections stay
// open) makes each call fail with ErrUnavailable once the store's timeout passes,
// rather than wait as long as the server hangs; thawed, the same stores work again.
// The server stays frozen until every call has returned, so a call that waited on
// it would never return: the bound below is only there to fail instead of hang.
func TestHungServer(t *testing.T) {
	s := startOwnServer(t, time.Second)
	users, box, limiter, server := s.users, s.box, s.limiter, s.server
	calls := map[string]func(ctx context.Context) error{
		"FindByID": func(ctx context.Context) error { _, err := users.FindByID(ctx, "1"); return err },
		"Add": func(ctx context.Context) error {
			_, err := box.Add(ctx, ports.Message{Kind: "k"}, time.Now())
			return err
		},
		"Allow": func(ctx context.Context) error {
			_, _, err := limiter.Allow(ctx, "k", 5, time.Minute, time.Now())
			return err
		},
	}

	server.Freeze()
	for name, call := range calls {
		done := make(chan error, 1)
		go func() { done <- call(context.Background()) }()
		select {
		case err := <-done:
			if !errors.Is(err, ports.ErrUnavailable) {
				t.Errorf("%s on a hung server: %v; want ErrUnavailable", name, err)
			}
		case <-time.After(time.Minute):
			server.Thaw()
			t.Fatalf("%s still waits on the hung server after a minute; its timeout is 1s", name)
		}
	}
	server.Thaw()
	expectRecovery(t, "after the thaw", calls)
}
