package outbox_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/pwreset/pwreset/ports"
)

// blocked answers once release is closed, or with the error of a cut-off send.
func blocked(called chan<- struct{}, release <-chan struct{}) func(context.Context, int) (string, error) {
	return func(ctx context.Context, _ int) (string, error) {
		close(called)
		select {
		case <-release:
			return "provider-late", nil
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
}

func TestShutdownLetsSendsInFlightFinish(t *testing.T) {
	called, release := make(chan struct{}), make(chan struct{})
	h := newHarness(t, &provider{answer: blocked(called, release)})
	stop := h.start(t, testConfig())
	id := h.send(t, 1)
	<-called
	stopped := make(chan struct{})
	go func() { stop(); close(stopped) }()
	select {
	case <-stopped:
		t.Fatal("Run returned with a send in flight")
	case <-time.After(20 * time.Millisecond):
	}
	close(release)
	<-stopped
	if env := h.get(t, id); env.State != ports.StateSent || env.ProviderID != "provider-late" {
		t.Fatalf("after shutdown: %+v; want sent", env)
	}
}

func TestShutdownHandsBackSendsPastGrace(t *testing.T) {
	called := make(chan struct{})
	h := newHarness(t, &provider{answer: blocked(called, nil)})
	cfg := testConfig()
	cfg.Grace = 50 * time.Millisecond
	stop := h.start(t, cfg)
	id := h.send(t, 1)
	<-called
	began := time.Now()
	stop()
	// The send never ends: returning at all is the grace's doing. The upper bound is
	// generous, so that a busy machine cannot break it.
	if took := time.Since(began); took < cfg.Grace || took > 20*time.Second {
		t.Fatalf("shutdown took %s with a grace of %s and a send that never ends", took, cfg.Grace)
	}
	env := h.get(t, id)
	if env.State != ports.StatePending || env.LeaseOwner != "" || !env.LeaseExpires.IsZero() ||
		env.NextAttemptAt.After(time.Now()) || !strings.Contains(env.LastError, "shutdown") {
		t.Fatalf("after shutdown: %+v; want pending, due now, lease released", env)
	}
	// Another process takes it over at once, without waiting for the lease.
	got, err := h.box.Claim(context.Background(), "other-process", time.Now(), time.Minute)
	if err != nil || got.ID != id || got.Message.Text != message(1).Text {
		t.Fatalf("Claim by another process = %+v, %v; want the whole message", got, err)
	}
}
