package campaign

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pwreset/pwreset/ports"
)

// maxPage bounds a page: the users read and queued between two cursor writes.
const maxPage = 500

// backlogPoll is how often a campaign held back looks at the outbox again: often
// enough that the dispatchers never run out of e-mails meanwhile (MaxBacklog
// e-mails last longer than this at any rate a provider takes), so that the
// campaign goes at the provider's pace, not the poll's. A look reads only the
// unfinished messages.
const backlogPoll = 100 * time.Millisecond

// waitNoted is how long a wait lasts before the Observer hears of it: a campaign
// that keeps pace waits briefly before many pages, which is no news; one that
// waits a second may have nothing delivering it.
const waitNoted = time.Second

// Run queues campaign id from its cursor until every user is reached (it is then
// done), someone pauses or cancels it, or ctx ends, and returns it as it stands. A
// crash at any point leaves the cursor at the last page queued; Run again resumes.
func (s *Service) Run(ctx context.Context, id string) (ports.Campaign, error) {
	c, err := s.d.Store.Get(ctx, id)
	if err != nil {
		return c, err
	}
	p := pacer{rate: c.Rate, start: s.d.Clock.Now(), sleep: s.d.Sleep}
	for c.State == ports.CampaignRunning {
		users, last, err := s.page(ctx, c, pageSize(c.Rate))
		if err != nil {
			return c, err
		}
		if len(users) == 0 {
			return s.d.Store.SetState(ctx, id, []string{ports.CampaignRunning}, ports.CampaignDone, s.d.Clock.Now())
		}
		waited, err := s.awaitDelivery(ctx, &c)
		switch {
		case err != nil:
			return c, err
		case c.State != ports.CampaignRunning:
			return c, nil // paused or cancelled meanwhile: the page waits for a resume
		case waited:
			p = pacer{rate: c.Rate, start: s.d.Clock.Now(), sleep: s.d.Sleep} // no burst to catch up
		}
		queued, err := s.queuePage(ctx, c, users, &p)
		if err != nil {
			return c, err
		}
		if c, err = s.d.Store.Advance(ctx, id, last, len(users), queued, s.d.Clock.Now()); err != nil {
			return c, fmt.Errorf("record the campaign's progress: %w", err)
		}
		if s.d.Observer != nil {
			s.d.Observer.Page(c, queued, len(users)-queued)
		}
	}
	return c, nil
}

// awaitDelivery waits while more than Deps.MaxBacklog e-mails wait in the outbox
// (pending or being sent), and reports whether it did. The dispatchers claim the
// earliest due first, so every e-mail a campaign queues ahead of the provider's
// pace is one more that a user's own link, asked for meanwhile, waits behind;
// with the bound a rate above what the provider takes costs nothing, and the
// campaign goes at the provider's pace. Webhook events do not count: they go to
// another endpoint, and a receiver that is down piles them up (they are retried
// for ever) while e-mail goes out. Meanwhile it reads c anew, so that a pause or
// a cancel from any instance ends the wait.
func (s *Service) awaitDelivery(ctx context.Context, c *ports.Campaign) (bool, error) {
	if s.d.Backlog == nil || s.d.MaxBacklog <= 0 {
		return false, nil
	}
	for polls := 0; ; polls++ {
		backlog, err := s.d.Backlog.MailWaiting(ctx)
		if err != nil {
			return polls > 0, fmt.Errorf("count the e-mails waiting in the outbox: %w", err)
		}
		if backlog <= s.d.MaxBacklog {
			return polls > 0, nil
		}
		if polls == int(waitNoted/backlogPoll) && s.d.Observer != nil {
			s.d.Observer.Waiting(*c, backlog)
		}
		if err := s.d.Sleep(ctx, backlogPoll); err != nil {
			return true, err
		}
		if *c, err = s.d.Store.Get(ctx, c.ID); err != nil || c.State != ports.CampaignRunning {
			return true, err
		}
	}
}

// workers is how many users of a page are reached at once: each takes a few
// round trips to the stores, which one at a time would bound the rate.
const workers = 8

// queuePage reaches the users of a page, workers at a time, paced, and returns how
// many e-mails it queued: through a PageQueue in a few round trips for the page,
// else user by user. On an error the page's other users are still tried; the
// cursor then stays, and Run again queues the page anew.
func (s *Service) queuePage(ctx context.Context, c ports.Campaign, users []ports.User, p *pacer) (int, error) {
	if q, ok := s.d.Queue.(PageQueue); ok {
		return s.queueBatch(ctx, q, c, users, p)
	}
	var queued atomic.Int64
	err := s.each(ctx, users, p, func(_ int, u ports.User) error {
		sent, err := s.reach(ctx, c, u)
		if sent {
			queued.Add(1)
		}
		return err
	})
	return int(queued.Load()), err
}

// each calls fn for the users, workers at a time, each no earlier than p allows,
// and returns the errors it returned, each naming its user.
func (s *Service) each(ctx context.Context, users []ports.User, p *pacer, fn func(i int, u ports.User) error) error {
	var (
		mu   sync.Mutex
		errs []error
		wg   sync.WaitGroup
	)
	next := make(chan int)
	for range min(workers, len(users)) {
		wg.Go(func() {
			for i := range next {
				if err := fn(i, users[i]); err != nil {
					mu.Lock()
					errs = append(errs, fmt.Errorf("user %s: %w", users[i].ID, err))
					mu.Unlock()
				}
			}
		})
	}
	var err error
	for i := range users {
		if err = p.wait(ctx, s.d.Clock.Now()); err != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	return errors.Join(append([]error{err}, errs...)...)
}

// pageSize is about a second of work at the rate, so that a pause takes effect
// within a second or so, and at most maxPage users.
func pageSize(rate float64) int {
	return int(max(1, min(maxPage, rate)))
}

// pacer spaces users at a rate: the n-th is reached no earlier than start + n/rate,
// so that no more e-mails than that are queued.
type pacer struct {
	rate  float64
	start time.Time
	count int
	sleep func(context.Context, time.Duration) error
}

func (p *pacer) wait(ctx context.Context, now time.Time) error {
	due := p.start.Add(time.Duration(float64(p.count) / p.rate * float64(time.Second)))
	p.count++
	if d := due.Sub(now); d > 0 {
		return p.sleep(ctx, d)
	}
	return ctx.Err()
}
