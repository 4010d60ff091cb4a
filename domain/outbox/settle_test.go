package outbox_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pwreset/pwreset/adapters/memory"
	"github.com/pwreset/pwreset/domain/outbox"
	"github.com/pwreset/pwreset/ports"
)

// TestWorkerDoesNotWaitForTheStore: a worker whose send succeeded hands the
// delivery over and goes for its next message: with one worker and the store's
// MarkSentBatch held, the provider receives a second message while the first
// delivery is still not recorded. (Before the settler, the worker waited in
// MarkSent, and the second message waited for it.)
func TestWorkerDoesNotWaitForTheStore(t *testing.T) {
	h := newHarness(t, &provider{})
	g := h.box.hold(t)
	cfg := testConfig()
	cfg.Workers = 1
	h.start(t, cfg)
	first := h.send(t, 1)
	if n := g.held(t); n != 1 {
		t.Fatalf("the first MarkSentBatch holds %d deliveries; want 1", n)
	}
	second := h.send(t, 2)
	waitFor(t, "the second message sent while the first delivery is held", func() bool {
		return len(h.provider.callsTo(message(2).To)) == 1
	})
	if env := h.get(t, first); env.State != ports.StateSending {
		t.Fatalf("the first message is %s while its delivery is held; want sending", env.State)
	}
	g.open()
	h.waitState(t, first, ports.StateSent)
	h.waitState(t, second, ports.StateSent)
}

// TestDeliveriesSettleTogether: what the workers hand over while a batch is being
// written is recorded together, in one MarkSentBatch.
func TestDeliveriesSettleTogether(t *testing.T) {
	h := newHarness(t, &provider{})
	g := h.box.hold(t)
	cfg := testConfig()
	cfg.Workers = 4
	h.start(t, cfg)
	ids := []string{h.send(t, 0)}
	g.held(t)
	for i := 1; i <= 3; i++ {
		ids = append(ids, h.send(t, i))
	}
	waitFor(t, "three deliveries waiting for the settler", func() bool { return h.first.SettleQueued() == 3 })
	g.open()
	for _, id := range ids {
		h.waitState(t, id, ports.StateSent)
	}
	if sizes := h.box.settleSizes(); !slices.Equal(sizes, []int{1, 3}) {
		t.Fatalf("MarkSentBatch calls of sizes %v; want [1 3]: the three that waited, together", sizes)
	}
}

// TestSettleBackpressure: with the store's MarkSentBatch held, at most Workers
// deliveries wait for the settler; a worker that then finds no room records its
// own delivery (a MarkSentBatch of one) and waits for that, sending nothing more.
// The provider has then taken exactly the held batch, the Workers waiting and one
// per worker; the rest stays pending until the store answers, and then
// everything goes out once.
func TestSettleBackpressure(t *testing.T) {
	h := newHarness(t, &provider{})
	g := h.box.hold(t)
	cfg := testConfig()
	cfg.Workers = 2
	h.start(t, cfg)
	ids := []string{h.send(t, 0)}
	held := g.held(t)
	const extra = 2 // messages no worker can take while they all wait
	for i := 1; i <= 2*cfg.Workers+extra; i++ {
		ids = append(ids, h.send(t, i))
	}
	for range cfg.Workers {
		if n := g.held(t); n != 1 {
			t.Fatalf("a worker that found the settler full recorded %d deliveries; want its own", n)
		}
	}
	waitFor(t, "every worker recording its own delivery", func() bool { return h.first.SettleWaiters() == cfg.Workers })
	if got, want := h.provider.total(), held+2*cfg.Workers; got != want {
		t.Fatalf("the provider took %d messages with the store held; want %d", got, want)
	}
	if n := h.first.SettleQueued(); n != cfg.Workers {
		t.Fatalf("%d deliveries wait for the settler; want %d (Workers)", n, cfg.Workers)
	}
	stats, err := h.box.Stats(context.Background())
	if err != nil || stats.Counts[ports.StatePending] != extra {
		t.Fatalf("outbox %+v, %v; want %d messages pending", stats, err, extra)
	}
	g.open()
	for i, id := range ids {
		h.waitState(t, id, ports.StateSent)
		if n := len(h.provider.callsTo(message(i).To)); n != 1 {
			t.Errorf("message %d sent %d times", i, n)
		}
	}
}

// TestShutdownRecordsHandedDeliveries: shutdown while a batch is held: Run returns
// only once every delivery handed over is recorded, and each message sent ends
// sent in the store. Its last line comes after their "mail sent" lines.
func TestShutdownRecordsHandedDeliveries(t *testing.T) {
	h := newHarness(t, &provider{})
	g := h.box.hold(t)
	cfg := testConfig()
	cfg.Workers = 2
	stop := h.start(t, cfg)
	ids := []string{h.send(t, 0)}
	g.held(t)
	ids = append(ids, h.send(t, 1), h.send(t, 2))
	waitFor(t, "two deliveries waiting for the settler", func() bool { return h.first.SettleQueued() == 2 })
	stopped := make(chan struct{})
	go func() { stop(); close(stopped) }()
	waitFor(t, "shutdown begun", func() bool { return strings.Contains(h.logs.String(), "mail dispatcher stopping") })
	select {
	case <-stopped:
		t.Fatal("Run returned with deliveries not recorded")
	default:
	}
	g.open()
	<-stopped
	for _, id := range ids {
		if env := h.get(t, id); env.State != ports.StateSent {
			t.Errorf("message %s is %s after shutdown; want sent", id, env.State)
		}
	}
	logs := h.logs.String()
	last := strings.Index(logs, `msg="mail dispatcher stopped"`)
	if strings.Count(logs[:max(last, 0)], `msg="mail sent"`) != len(ids) {
		t.Fatalf("Run returned before its deliveries were recorded:\n%s", logs)
	}
}

// TestSettleFaultsInABatch: a lost lease for one delivery of a batch, and a
// store error for a whole batch, give the lines and outcomes a lone MarkSent
// gave: the lost one is left to its new holder (a warning), the failed ones
// stay leased, to be sent again once their leases expire (an error), the rest is
// sent; each delivery has its audit event.
func TestSettleFaultsInABatch(t *testing.T) {
	h := newHarness(t, &provider{})
	g := h.box.hold(t)
	cfg := testConfig()
	cfg.Workers = 4
	h.start(t, cfg)
	h.send(t, 0)
	g.held(t)
	ids := []string{h.send(t, 1), h.send(t, 2), h.send(t, 3)}
	waitFor(t, "three deliveries waiting for the settler", func() bool { return h.first.SettleQueued() == 3 })
	h.box.fail(ids[0], ports.ErrLeaseLost)
	g.open()
	h.waitState(t, ids[1], ports.StateSent)
	h.waitState(t, ids[2], ports.StateSent)

	g = h.box.hold(t)
	h.send(t, 4)
	g.held(t)
	down := []string{h.send(t, 5), h.send(t, 6)}
	waitFor(t, "two deliveries waiting for the settler", func() bool { return h.first.SettleQueued() == 2 })
	for _, id := range down {
		h.box.fail(id, errors.New("connection refused"))
	}
	g.open()
	line := func(id string, n int, end string) string {
		return fmt.Sprintf(" component=outbox outbox_id=%s kind=reset_link attempts=1 to_domain=example.org provider_id=provider-%d%s\n", id, n, end)
	}
	want := []string{
		`level=WARN msg="mail sent, but another worker has taken the message over, or it was deleted"` +
			line(ids[0], 1, ` store_error="the message's lease was lost"`),
		`level=INFO msg="mail sent"` + line(ids[1], 2, ""),
		`level=INFO msg="mail sent"` + line(ids[2], 3, ""),
	}
	for i, id := range down {
		want = append(want, `level=ERROR msg="mail sent, but the outcome was not stored; the message is tried again once its lease expires"`+
			line(id, 5+i, ` store_error="connection refused"`))
	}
	for i := 1; i <= 6; i++ {
		want = append(want, fmt.Sprintf("msg=reset_link.sent audit=true user_id=%d outbox_id=", i))
	}
	for _, w := range want {
		waitFor(t, "the line "+w, func() bool { return strings.Contains(h.logs.String(), w) })
	}
	for _, id := range append(down, ids[0]) {
		if env := h.get(t, id); env.State != ports.StateSending {
			t.Errorf("message %s is %s; want left leased", id, env.State)
		}
	}
	if sizes := h.box.settleSizes(); !slices.Equal(sizes, []int{1, 3, 1, 2}) {
		t.Fatalf("MarkSentBatch calls of sizes %v; want [1 3 1 2]", sizes)
	}
}

// noResults is an outbox whose MarkSentBatch answers no result at all: a store's bug.
type noResults struct{ *memory.Outbox }

func (noResults) MarkSentBatch(context.Context, []ports.Delivery) []error { return nil }

// TestSettleWithoutAResult: a delivery the store gives no result for counts as
// not stored: its line says so, and the message stays leased, to be sent again
// once its lease expires, rather than taken for sent.
func TestSettleWithoutAResult(t *testing.T) {
	ctx := context.Background()
	box := noResults{memory.NewOutbox()}
	logs := &logBuffer{}
	d := outbox.NewDispatcher(testConfig(), box, &provider{}, clock{}, slog.New(slog.NewTextHandler(logs, nil)), nil)
	id, err := box.Add(ctx, message(1), clock{}.Now())
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := d.DeliverDue(ctx); !ok || err != nil {
		t.Fatalf("DeliverDue = %v, %v", ok, err)
	}
	if env, _ := box.Get(ctx, id); env.State != ports.StateSending {
		t.Errorf("message is %s; want left leased", env.State)
	}
	const want = `level=ERROR msg="mail sent, but the outcome was not stored; the message is tried again once its lease expires"`
	if !strings.Contains(logs.String(), want) || !strings.Contains(logs.String(), "no result for this delivery") {
		t.Fatalf("logs:\n%s\nwant %s, saying the store gave no result", logs, want)
	}
}

// TestDeliveriesLeftAtACrashAreSentAgain: what a dispatcher that dies with
// deliveries waiting for its settler leaves behind: their messages leased, sent
// and not recorded. (It cannot be killed in-process; one whose store never
// answers, and that claims nothing more, leaves the same.) Another dispatcher
// sends them again once their leases expire: at least once, as after a death
// between a send and its MarkSent. The recording that comes too late is refused,
// and logged as a lost lease.
func TestDeliveriesLeftAtACrashAreSentAgain(t *testing.T) {
	h := newHarness(t, &provider{})
	g := h.box.hold(t)
	g.only = "doomed"
	cfg := testConfig()
	cfg.Workers, cfg.Lease, cfg.Owner = 2, time.Second, "doomed"
	h.start(t, cfg)
	ids := []string{h.send(t, 0)}
	g.held(t)
	ids = append(ids, h.send(t, 1), h.send(t, 2))
	waitFor(t, "two deliveries waiting for the settler", func() bool { return h.first.SettleQueued() == 2 })
	// From here on nothing wakes the doomed dispatcher, which polls hourly.
	survivor := testConfig()
	survivor.Owner, survivor.PollInterval = "survivor", 10*time.Millisecond
	h.start(t, survivor)
	for i, id := range ids {
		h.waitState(t, id, ports.StateSent)
		if n := len(h.provider.callsTo(message(i).To)); n != 2 {
			t.Errorf("message %d sent %d times; want twice", i, n)
		}
	}
	g.open()
	waitFor(t, "the late recordings refused", func() bool {
		return strings.Count(h.logs.String(), `msg="mail sent, but another worker has taken the message over, or it was deleted"`) == len(ids)
	})
}
