package campaign_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/pwreset/pwreset/domain/campaign"
	"github.com/pwreset/pwreset/domain/event"
	"github.com/pwreset/pwreset/ports"
)

// maxBacklog is the bound of these tests: two pages.
const maxBacklog = 1000

// poll is how often a campaign held back looks again; noted, how many looks in
// a row make a wait its Observer hears of (a second's worth).
const (
	poll  = 100 * time.Millisecond
	noted = 10
)

// watchedBacklog is the world's outbox as the campaign's Backlog, noting the most
// messages that ever waited in it when the campaign looked.
type watchedBacklog struct {
	w    *world
	most int
	err  error
}

func (b *watchedBacklog) MailWaiting(ctx context.Context) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	n, err := b.w.box.MailWaiting(ctx)
	b.most = max(b.most, n)
	return n, err
}

// waitCounter is an Observer that counts the waits it is told of.
type waitCounter struct{ waits, most int }

func (*waitCounter) Page(ports.Campaign, int, int) {}

func (w *waitCounter) Waiting(_ ports.Campaign, backlog int) {
	w.waits++
	w.most = max(w.most, backlog)
}

// deliver sends every due e-mail in the world's outbox, as the dispatcher would,
// counting each user's e-mails in got. Events it reschedules an hour later, as
// for a webhook receiver that is down (the world's clock stands still).
func (w *world) deliver(t *testing.T, got map[string]int) {
	t.Helper()
	ctx := context.Background()
	for {
		batch, err := w.box.ClaimBatch(ctx, "dispatcher", w.clock.Now(), time.Minute, 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(batch) == 0 {
			return
		}
		for _, env := range batch {
			var err error
			if event.IsKind(env.Message.Kind) {
				err = w.box.Reschedule(ctx, env.ID, env.LeaseOwner, w.clock.Now().Add(time.Hour), "receiver down")
			} else {
				got[env.Message.UserID]++
				err = w.box.MarkSent(ctx, env.ID, env.LeaseOwner, "p-"+env.ID, w.clock.Now())
			}
			if err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestBacklogHoldsTheCampaign: queued far faster than anything delivers, a
// campaign queues no page while more than MaxBacklog messages wait in the outbox:
// it waits, polling, until the dispatcher has taken them, then goes on, and every
// user gets one e-mail. Waits of a second or more are told of, once each; the
// shorter waits of a campaign that keeps pace are not.
func TestBacklogHoldsTheCampaign(t *testing.T) {
	for _, c := range []struct {
		name        string
		pollsToGo   int // the looks after which the outbox drains
		toldOfWaits bool
	}{{"long waits", noted + 2, true}, {"short waits", noted - 1, false}} {
		t.Run(c.name, func(t *testing.T) { holdsTheCampaign(t, c.pollsToGo, c.toldOfWaits) })
	}
}

func holdsTheCampaign(t *testing.T, pollsToGo int, toldOfWaits bool) {
	ctx := context.Background()
	w := newWorld(3000)
	backlog := &watchedBacklog{w: w}
	waits, polls, got := 0, 0, map[string]int{}
	s := campaign.New(campaign.Deps{Store: w.store, Users: w.users, Queue: w.box, Letter: letter{}, Clock: w.clock,
		Backlog: backlog, MaxBacklog: maxBacklog, Sleep: func(_ context.Context, d time.Duration) error {
			if d != poll {
				return nil
			}
			if polls++; polls == pollsToGo {
				polls = 0
				waits++
				w.deliver(t, got) // the outbox drains while the campaign waits
			}
			return nil
		}})
	c, err := s.Start(ctx, campaign.Spec{Rate: 1e6}) // pages of 500, unpaced
	if err != nil {
		t.Fatal(err)
	}
	told := &waitCounter{}
	if c, err = s.WithObserver(told).Run(ctx, c.ID); err != nil || c.State != ports.CampaignDone {
		t.Fatalf("Run: %+v, %v", c, err)
	}
	switch {
	case waits == 0:
		t.Error("the campaign never waited for the outbox to drain")
	case toldOfWaits && (told.waits != waits || told.most <= maxBacklog):
		t.Errorf("the campaign waited %d times, told its observer of %d (at most %d waiting); want each told, above %d",
			waits, told.waits, told.most, maxBacklog)
	case !toldOfWaits && told.waits != 0:
		t.Errorf("the observer was told of %d waits shorter than a second; want none", told.waits)
	}
	// It looks before each page: what it finds is at most the bound and one page.
	if backlog.most > maxBacklog+500 {
		t.Errorf("%d messages waited in the outbox at once; at most %d may", backlog.most, maxBacklog+500)
	}
	w.deliver(t, got)
	ids := make([]string, 3000)
	for i := range ids {
		ids[i] = fmt.Sprint(i + 1)
	}
	exactlyOnce(t, got, ids...)
}

// TestCancelWhileHeldBack: a campaign waiting for the outbox to drain sees a
// cancel from another instance and stops, queueing nothing more; an outbox it
// cannot count stops it with an error saying so.
func TestCancelWhileHeldBack(t *testing.T) {
	ctx := context.Background()
	w := newWorld(2000)
	var s *campaign.Service
	var id string
	s = campaign.New(campaign.Deps{Store: w.store, Users: w.users, Queue: w.box, Letter: letter{}, Clock: w.clock,
		Backlog: &watchedBacklog{w: w}, MaxBacklog: maxBacklog, Sleep: func(_ context.Context, d time.Duration) error {
			if d == poll {
				if _, err := s.Cancel(ctx, id); err != nil {
					t.Error(err)
				}
			}
			return nil
		}})
	c, err := s.Start(ctx, campaign.Spec{Rate: 1e6})
	if err != nil {
		t.Fatal(err)
	}
	id = c.ID
	if c, err = s.Run(ctx, c.ID); err != nil || c.State != ports.CampaignCancelled {
		t.Fatalf("Run: %+v, %v; want cancelled", c, err)
	}
	// Three pages of 500 went in; 1,500 waiting held the fourth back.
	if n := len(w.sent(t)); n != 1500 {
		t.Errorf("%d e-mails queued, want the three pages before the wait", n)
	}

	broken := errors.New("the outbox is unreachable")
	s2 := campaign.New(campaign.Deps{Store: w.store, Users: w.users, Queue: w.box, Letter: letter{}, Clock: w.clock,
		Backlog: &watchedBacklog{w: w, err: broken}, MaxBacklog: maxBacklog})
	c2, err := s2.Start(ctx, campaign.Spec{Rate: 1e6})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s2.Run(ctx, c2.ID); !errors.Is(err, broken) {
		t.Errorf("Run with an outbox it cannot count: %v, want an error wrapping %v", err, broken)
	}
}
