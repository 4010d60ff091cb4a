package campaign

import (
	"context"
	"fmt"
	"time"

	"github.com/pwreset/pwreset/ports"
)

// maxPage bounds a page: the users read and queued between two cursor writes.
const maxPage = 500

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
		queued := 0
		for _, u := range users {
			if err := p.wait(ctx, s.d.Clock.Now()); err != nil {
				return c, err
			}
			sent, err := s.reach(ctx, c, u)
			if err != nil {
				return c, fmt.Errorf("user %s: %w", u.ID, err)
			}
			if sent {
				queued++
				p.count++
			}
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

// pageSize is about a second of work at the rate, so that a pause takes effect
// within a second or so, and at most maxPage users.
func pageSize(rate float64) int {
	return int(max(1, min(maxPage, rate)))
}

// pacer spaces messages at a rate: the n-th goes no earlier than start + n/rate.
type pacer struct {
	rate  float64
	start time.Time
	count int
	sleep func(context.Context, time.Duration) error
}

func (p *pacer) wait(ctx context.Context, now time.Time) error {
	due := p.start.Add(time.Duration(float64(p.count) / p.rate * float64(time.Second)))
	if d := due.Sub(now); d > 0 {
		return p.sleep(ctx, d)
	}
	return ctx.Err()
}
