package outbox_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/pwreset/pwreset/adapters/memory"
	"github.com/pwreset/pwreset/domain/event"
	"github.com/pwreset/pwreset/domain/outbox"
	"github.com/pwreset/pwreset/ports"
)

// setClock is a clock the test moves.
type setClock struct{ now time.Time }

func (c *setClock) Now() time.Time { return c.now }

// unrecorded is an outbox whose first n MarkSentBatch calls record nothing and
// fail, as a crash between the send and its record leaves the message.
type unrecorded struct {
	*memory.Outbox
	n int
}

func (o *unrecorded) MarkSentBatch(ctx context.Context, ds []ports.Delivery) []error {
	if o.n > 0 {
		o.n--
		errs := make([]error, len(ds))
		for i := range errs {
			errs[i] = errors.New("store unreachable")
		}
		return errs
	}
	return o.Outbox.MarkSentBatch(ctx, ds)
}

// TestSentAnnouncedBeforeRecorded: a link e-mail's reset_link.sent event is stored
// before its delivery is recorded, so a delivery that is never recorded (a crash,
// the store gone) is announced all the same. The message, sent again once its
// lease runs out and recorded then, is announced under the same id: one event in
// all, delivered once.
func TestSentAnnouncedBeforeRecorded(t *testing.T) {
	ctx := context.Background()
	box := &unrecorded{Outbox: memory.NewOutbox(), n: 1}
	cfg := testConfig()
	cfg.Events = []string{event.LinkSent}
	at := &setClock{now: time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)}
	mail, events := &provider{}, &provider{}
	d := outbox.NewDispatcher(cfg, box, outbox.Router{Mail: mail, Events: events}, at,
		slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	id, err := box.Add(ctx, message(3), at.Now())
	if err != nil {
		t.Fatal(err)
	}
	deliver := func(what string) {
		t.Helper()
		if ok, err := d.DeliverDue(ctx); !ok || err != nil {
			t.Fatalf("DeliverDue (%s) = %v, %v", what, ok, err)
		}
	}
	deliver("the e-mail, not recorded")
	want := event.IDOf(id, event.LinkSent)
	if env, err := box.Get(ctx, want); err != nil || env.Message.Kind != event.Kind(event.LinkSent) {
		t.Fatalf("after a delivery that was not recorded, its event %s: %+v, %v; want it stored", want, env.Message, err)
	}
	at.now = at.now.Add(cfg.Lease + time.Second) // the e-mail's lease runs out
	deliver("the event")
	deliver("the e-mail again, recorded")
	if ok, err := d.DeliverDue(ctx); ok || err != nil {
		t.Errorf("something more was due (%v, %v): the second announcement was stored apart", ok, err)
	}
	if mail.total() != 2 || events.total() != 1 || len(events.callsTo(want)) != 1 {
		t.Errorf("mail sent %d times, events %d (%d under %s); want the e-mail twice and its event once",
			mail.total(), events.total(), len(events.callsTo(want)), want)
	}
	if env, err := box.Get(ctx, id); err != nil || env.State != ports.StateSent {
		t.Errorf("the e-mail: %+v, %v; want it sent", env.State, err)
	}
}
