package campaign_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/pwreset/pwreset/domain/campaign"
	"github.com/pwreset/pwreset/domain/event"
	"github.com/pwreset/pwreset/ports"
)

// add stores n pending messages of kind in the world's outbox.
func (w *world) add(t *testing.T, kind string, n int) {
	t.Helper()
	for i := range n {
		msg := ports.Message{Kind: kind, UserID: fmt.Sprint("other-", i), To: fmt.Sprint("evt_", i), Text: "{}"}
		if _, err := w.box.Add(context.Background(), msg, w.clock.Now()); err != nil {
			t.Fatal(err)
		}
	}
}

// TestPendingEventsDoNotHoldTheCampaign: 5,000 webhook events waiting on a
// receiver that is down (retried for ever, never given up) do not hold a campaign
// back, however far above MaxBacklog: it counts e-mails only. 1,001 e-mails
// waiting do hold it, with the same events there, until they are delivered; the
// events wait on throughout.
func TestPendingEventsDoNotHoldTheCampaign(t *testing.T) {
	for _, c := range []struct {
		name          string
		mails, waits  int // e-mails waiting at the start; waits expected
		backlogToldOf int // e-mails the observer is told of
	}{
		{"events only", 0, 0, 0},
		{"events and e-mails", maxBacklog + 1, 1, maxBacklog + 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			w := newWorld(1000) // two pages: never above the bound by the campaign's own
			w.add(t, event.Kind(event.PasswordChanged), 5000)
			w.add(t, "reset_link", c.mails)
			errTooMany := errors.New("the campaign waits on and on")
			waits, polls, got := 0, 0, map[string]int{}
			s := campaign.New(campaign.Deps{Store: w.store, Users: w.users, Queue: w.box, Letter: letter{}, Clock: w.clock,
				Backlog: w.box, MaxBacklog: maxBacklog, Sleep: func(_ context.Context, d time.Duration) error {
					if d != poll {
						return nil
					}
					if polls++; polls > 5*noted { // counting events, it would wait for ever: they never go
						return errTooMany
					}
					if polls%(noted+1) == 0 { // a wait its observer hears of, then the outbox drains
						waits++
						w.deliver(t, got)
					}
					return nil
				}})
			cp, err := s.Start(ctx, campaign.Spec{Rate: 1e6})
			if err != nil {
				t.Fatal(err)
			}
			told := &waitCounter{}
			if cp, err = s.WithObserver(told).Run(ctx, cp.ID); err != nil || cp.State != ports.CampaignDone {
				t.Fatalf("Run: %+v, %v; want done", cp, err)
			}
			if waits != c.waits || told.waits != c.waits || told.most != c.backlogToldOf {
				t.Errorf("the campaign waited %d times, told of %d (at most %d waiting); want %d, told of %d waiting",
					waits, told.waits, told.most, c.waits, c.backlogToldOf)
			}
			st, err := w.box.Stats(ctx)
			if err != nil || st.Events.Counts[ports.StatePending] != 5000 {
				t.Errorf("events pending at the end: %d, %v; want all 5000", st.Events.Counts[ports.StatePending], err)
			}
			for id, n := range w.sent(t) {
				got[id] += n
			}
			ids := make([]string, 1000)
			for i := range ids {
				ids[i] = fmt.Sprint(i + 1)
			}
			maps.DeleteFunc(got, func(id string, _ int) bool { return strings.HasPrefix(id, "other-") })
			exactlyOnce(t, got, ids...)
		})
	}
}
