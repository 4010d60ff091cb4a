package prometheus_test

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pwreset/pwreset/adapters/memory"
	"github.com/pwreset/pwreset/adapters/prometheus"
	"github.com/pwreset/pwreset/ports"
	"github.com/pwreset/pwreset/ports/portstest"
)

// countingOutbox counts and can fail or hang its Stats calls.
type countingOutbox struct {
	ports.Outbox
	calls atomic.Int32
	fail  atomic.Bool
	hang  chan struct{} // Stats waits on it (and on its context) while not nil
}

func (o *countingOutbox) Stats(ctx context.Context) (ports.OutboxStats, error) {
	o.calls.Add(1)
	if o.hang != nil {
		select {
		case <-o.hang:
		case <-ctx.Done():
			return ports.OutboxStats{}, ctx.Err()
		}
	}
	if o.fail.Load() {
		return ports.OutboxStats{}, ports.ErrUnavailable
	}
	return o.Outbox.Stats(ctx)
}

func watched(t *testing.T, timeout time.Duration) (*prometheus.Metrics, *countingOutbox, *portstest.Clock) {
	t.Helper()
	clock := portstest.NewClock(time.Unix(1_700_000_000, 0))
	box := &countingOutbox{Outbox: memory.NewOutbox()}
	ctx := context.Background()
	ago := func(minutes int) time.Time { return clock.Now().Add(-time.Duration(minutes) * time.Minute) }
	// An event given up on 90 minutes ago; then e-mails created 30, 20 and 10
	// minutes ago, the first of them being sent; then events waiting for an hour and
	// for 5 minutes.
	add(t, box, "event.password.changed", ago(90))
	claimed, err := box.Outbox.Claim(ctx, "worker", clock.Now(), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if err := box.Outbox.MarkFailed(ctx, claimed.ID, "worker", "refused", ago(89)); err != nil {
		t.Fatal(err)
	}
	for i, kind := range []string{"reset_link", "reset_link", "password_changed"} {
		add(t, box, kind, ago(10*(3-i)))
	}
	if _, err := box.Outbox.Claim(ctx, "worker", clock.Now(), time.Minute); err != nil {
		t.Fatal(err)
	}
	add(t, box, "event.reset_link.sent", ago(60))
	add(t, box, "event.password.changed", ago(5))
	m := prometheus.New()
	m.WatchOutbox(prometheus.OutboxWatch{Box: box, Clock: clock, Timeout: timeout, CacheFor: 5 * time.Second})
	return m, box, clock
}

func add(t *testing.T, box *countingOutbox, kind string, created time.Time) {
	t.Helper()
	if _, err := box.Outbox.Add(context.Background(), ports.Message{Kind: kind, To: "a@example.com"}, created); err != nil {
		t.Fatal(err)
	}
}

func TestOutboxGaugesAreReadOncePerCachePeriod(t *testing.T) {
	m, box, clock := watched(t, 5*time.Second)
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for range 20 {
		wg.Go(func() {
			if _, err := m.Registry().Gather(); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent scrape: %v", err)
	}
	body := scrape(t, m.Handler())
	for _, line := range []string{
		`pwreset_outbox_messages{family="mail",state="pending"} 2`,
		`pwreset_outbox_messages{family="mail",state="sending"} 1`,
		`pwreset_outbox_messages{family="mail",state="failed"} 0`,
		`pwreset_outbox_messages{family="event",state="pending"} 2`,
		`pwreset_outbox_messages{family="event",state="sending"} 0`,
		`pwreset_outbox_messages{family="event",state="failed"} 1`,
		`pwreset_outbox_oldest_pending_age_seconds{family="mail"} 1800`,
		`pwreset_outbox_oldest_pending_age_seconds{family="event"} 3600`,
	} {
		if !strings.Contains(body, line+"\n") {
			t.Errorf("scrape lacks %q:\n%s", line, grep(body, "pwreset_outbox"))
		}
	}
	if n := box.calls.Load(); n != 1 {
		t.Errorf("21 scrapes in one cache period read the outbox %d times, want 1", n)
	}
	clock.Add(5 * time.Second)
	scrape(t, m.Handler())
	if n := box.calls.Load(); n != 2 {
		t.Errorf("a scrape after the cache period: %d reads in all, want 2", n)
	}
}

func TestUnreadableOutboxLeavesItsSeriesOut(t *testing.T) {
	m, box, clock := watched(t, 5*time.Second)
	box.fail.Store(true)
	for range 3 {
		if body := scrape(t, m.Handler()); strings.Contains(body, "pwreset_outbox") {
			t.Errorf("series of an unreadable outbox served:\n%s", grep(body, "pwreset_outbox"))
		}
		if !strings.Contains(scrape(t, m.Handler()), "pwreset_link_requests_total") {
			t.Error("other series missing while the outbox is unreadable")
		}
	}
	if n := box.calls.Load(); n != 1 {
		t.Errorf("a failing outbox was read %d times in one cache period, want 1", n)
	}
	box.fail.Store(false)
	clock.Add(5 * time.Second)
	if body := scrape(t, m.Handler()); !strings.Contains(body, `pwreset_outbox_messages{family="mail",state="pending"} 2`) {
		t.Errorf("series not back once the outbox answers:\n%s", grep(body, "pwreset_outbox"))
	}
}

func TestHangingOutboxDoesNotHangTheScrape(t *testing.T) {
	m, box, _ := watched(t, 200*time.Millisecond)
	box.hang = make(chan struct{})
	defer close(box.hang)
	done := make(chan []string, 1)
	go func() {
		families, _ := m.Registry().Gather() // an error is a collector's; the series are checked below
		var names []string
		for _, f := range families {
			names = append(names, f.GetName())
		}
		done <- names
	}()
	select {
	case names := <-done:
		for _, n := range names {
			if strings.HasPrefix(n, "pwreset_outbox") {
				t.Errorf("series %s of a hanging outbox served", n)
			}
		}
		if len(names) == 0 {
			t.Error("nothing served while the outbox hangs")
		}
	case <-time.After(30 * time.Second): // the outbox hangs for ever; the timeout is 200ms
		t.Fatal("scrape hangs with the outbox")
	}
}

func grep(body, prefix string) string {
	var out []string
	for _, l := range strings.Split(body, "\n") {
		if strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// TestEmptyOutboxHasEverySeriesAtZero: every state of each family (and each
// family's age) is served at 0 before the outbox holds anything, so that alerts on
// a family work from start-up.
func TestEmptyOutboxHasEverySeriesAtZero(t *testing.T) {
	m := prometheus.New()
	m.WatchOutbox(prometheus.OutboxWatch{Box: memory.NewOutbox(), Clock: portstest.NewClock(time.Unix(1_700_000_000, 0)),
		Timeout: time.Second, CacheFor: time.Second})
	want := []string{
		`pwreset_outbox_messages{family="event",state="failed"} 0`,
		`pwreset_outbox_messages{family="event",state="pending"} 0`,
		`pwreset_outbox_messages{family="event",state="sending"} 0`,
		`pwreset_outbox_messages{family="mail",state="failed"} 0`,
		`pwreset_outbox_messages{family="mail",state="pending"} 0`,
		`pwreset_outbox_messages{family="mail",state="sending"} 0`,
		`pwreset_outbox_oldest_pending_age_seconds{family="event"} 0`,
		`pwreset_outbox_oldest_pending_age_seconds{family="mail"} 0`,
	}
	if got := grep(scrape(t, m.Handler()), "pwreset_outbox"); got != strings.Join(want, "\n") {
		t.Errorf("series of an empty outbox:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
	}
}
