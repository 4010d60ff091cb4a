package reset_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/pwreset/pwreset/domain/reset"
	"github.com/pwreset/pwreset/ports"
)

// limitedConfig has a cooldown of an hour and a daily cap of one link.
var limitedConfig = func() reset.Config {
	c := config
	c.LinkCooldown, c.LinkDailyCap = time.Hour, 1
	return c
}()

// TestLostInsertReplyCountsTheLink is issue 17's finding 1: a link request whose
// outbox insert applied but whose reply was lost (or whose client hung up just
// then) must leave its link counted, so that requests repeated within the cooldown
// queue no more links. Every request here loses its reply.
func TestLostInsertReplyCountsTheLink(t *testing.T) {
	for _, hangUp := range []bool{false, true} {
		name := map[bool]string{false: "LostReply", true: "HangUp"}[hangUp]
		t.Run(name, func(t *testing.T) {
			w := newFaultyWorld(limitedConfig, alice)
			for i := range 10 {
				ctx, cancel := context.WithCancel(context.Background())
				w.f.mu.Lock()
				w.f.lostNext = 1
				if hangUp {
					w.f.hangUp = cancel
				}
				w.f.mu.Unlock()
				err := w.sender.Send(ctx, reset.Lookup{Value: "alice"})
				cancel()
				if i == 0 && err == nil {
					t.Fatal("the first request's insert lost its reply, yet Send answered nil")
				}
				w.clock.Add(time.Minute)
			}
			if got := w.pending(); got != 1 {
				t.Fatalf("%d link e-mails queued for 10 requests within the cooldown; want exactly 1", got)
			}
		})
	}
}

// TestOutageRetryGoesOut is issue 17's finding 2: a link request that failed
// because the store went down (its insert not applied, and nothing else reaching
// the store afterwards) must leave nothing counted, so that the retry the 503
// asked for goes out, and the user's older link lives on.
func TestOutageRetryGoesOut(t *testing.T) {
	cfg := limitedConfig
	cfg.InvalidateOlderLinks = true
	w := newFaultyWorld(cfg, alice)
	w.f.mu.Lock()
	w.f.outNext = true
	w.f.mu.Unlock()
	err := w.sender.Send(context.Background(), reset.Lookup{Value: "alice"})
	if !errors.Is(err, ports.ErrUnavailable) {
		t.Fatalf("Send during the outage = %v; want ErrUnavailable (a 503)", err)
	}
	w.f.restore()
	w.clock.Add(time.Second)
	if err := w.sender.Send(context.Background(), reset.Lookup{Value: "alice"}); err != nil {
		t.Fatalf("the retry after the outage: %v", err)
	}
	if got := w.pending(); got != 1 {
		t.Fatalf("%d link e-mails queued after the outage and its retry; want 1 (the retry's)", got)
	}
}
