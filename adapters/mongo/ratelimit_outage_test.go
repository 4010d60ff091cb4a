package mongo_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/pwreset/pwreset/adapters/mongo"
	"github.com/pwreset/pwreset/adapters/mongo/mongotest"
	"github.com/pwreset/pwreset/ports"
)

// TestRateLimiterOutage: with the server gone, every call of the limiter fails
// with ErrUnavailable within its Timeout, so that the service answers 503 rather
// than let a hit through uncounted; once the server is back, it works again.
func TestRateLimiterOutage(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and stops a server of its own")
	}
	const timeout = 2 * time.Second
	srv := mongotest.StartServer(t)
	client, err := mongo.Connect(testCtx(t), srv.URI(), timeout)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Disconnect(context.Background()) })
	l := mongo.NewRateLimiter(client.Database("outage"), mongo.RateLimitConfig{Timeout: timeout})
	if ok, _, err := l.Allow(testCtx(t), "k", 1, time.Minute, time.Now()); !ok || err != nil {
		t.Fatalf("before the outage: %v, %v", ok, err)
	}

	srv.Stop()
	calls := map[string]func(context.Context) error{
		"Allow limit 1": func(ctx context.Context) error {
			_, _, err := l.Allow(ctx, "k", 1, time.Minute, time.Now())
			return err
		},
		"Allow limit 3": func(ctx context.Context) error {
			_, _, err := l.Allow(ctx, "k3", 3, time.Minute, time.Now())
			return err
		},
		"Latest":        func(ctx context.Context) error { _, err := l.Latest(ctx, "k"); return err },
		"Purge":         func(ctx context.Context) error { _, err := l.Purge(ctx, time.Now()); return err },
		"EnsureIndexes": func(ctx context.Context) error { return l.EnsureIndexes(ctx) },
	}
	var wg sync.WaitGroup
	for name, call := range calls {
		wg.Go(func() {
			start := time.Now()
			err := call(context.Background()) // no deadline of the caller's: the limiter's own must hold
			elapsed := time.Since(start)
			if !errors.Is(err, ports.ErrUnavailable) {
				t.Errorf("%s during the outage: got %v, want ErrUnavailable", name, err)
			}
			if elapsed > timeout+margin {
				t.Errorf("%s during the outage took %s, want at most %s", name, elapsed, timeout+margin)
			}
		})
	}
	wg.Wait()

	srv.Start()
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, err := l.Latest(testCtx(t), "k")
		if err == nil {
			break
		}
		if !errors.Is(err, ports.ErrUnavailable) || time.Now().After(deadline) {
			t.Fatalf("after the restart: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if ok, _, err := l.Allow(testCtx(t), "k", 1, time.Minute, time.Now()); ok || err != nil {
		t.Fatalf("after the restart: Allow = %v, %v; want refused, the event before the outage kept", ok, err)
	}
}
