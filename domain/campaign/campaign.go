package campaign

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/pwreset/pwreset/ports"
)

// Errors of the campaign commands.
var (
	ErrNoRate    = errors.New("a campaign needs a rate above 0 messages a second")
	ErrBothKinds = errors.New("select users by ids or by fields, not both")
)

// Letter composes a campaign's e-mail (reset.BreachLetter).
type Letter interface {
	Compose(user ports.User, disabled bool, at time.Time) (ports.Message, error)
}

// Queue stores a message with its limits in one write (the outbox).
type Queue interface {
	AddLimited(ctx context.Context, m ports.LimitedMessage, now time.Time) (id string, refused int, err error)
	LatestEvent(ctx context.Context, key string) (time.Time, error)
}

// Backlog tells how many e-mails wait in the outbox (ports.Outbox's MailWaiting,
// which counts them through the index of unfinished messages: the campaign asks
// often).
type Backlog interface {
	MailWaiting(ctx context.Context) (int, error)
}

// Users are the stores a campaign reads users from and marks passwords in.
type Users interface {
	ports.UserStore
	ports.UserLister
}

// Deps are what a Service works with.
type Deps struct {
	Store  ports.CampaignStore
	Users  Users
	Queue  Queue
	Letter Letter
	Clock  ports.Clock
	// Backlog, when set with MaxBacklog above 0, holds a campaign back while more
	// than MaxBacklog e-mails wait in the outbox (see Run); else only the rate
	// paces it.
	Backlog    Backlog
	MaxBacklog int
	// Sleep waits d or until ctx ends; nil: a timer.
	Sleep func(ctx context.Context, d time.Duration) error
	// Observer hears of each page; nil: nobody (see WithObserver).
	Observer Observer
}

// Observer hears of a campaign's progress (metrics, a progress bar).
type Observer interface {
	// Page is called after each page, with the campaign as stored and what the page did.
	Page(c ports.Campaign, queued, skipped int)
	// Waiting is called when the campaign begins to wait for the outbox to drain,
	// with the e-mails waiting there.
	Waiting(c ports.Campaign, backlog int)
}

// Service starts, runs and controls campaigns.
type Service struct{ d Deps }

// New returns the campaign service.
func New(d Deps) *Service {
	if d.Sleep == nil {
		d.Sleep = sleep
	}
	return &Service{d: d}
}

// WithObserver returns a copy of s that tells o of each page it queues.
func (s *Service) WithObserver(o Observer) *Service {
	d := s.d
	d.Observer = o
	return &Service{d: d}
}

// Spec is what a new campaign does.
type Spec struct {
	IDs        []string      // the users to reach; empty: all that Where selects
	Where      []ports.Field // equal field values; empty: every user
	Rate       float64       // messages queued per second, at most
	Invalidate bool          // mark current passwords unusable first
}

// Start stores a new running campaign and returns it; Run queues it.
func (s *Service) Start(ctx context.Context, spec Spec) (ports.Campaign, error) {
	if !(spec.Rate > 0) {
		return ports.Campaign{}, ErrNoRate
	}
	if len(spec.IDs) > 0 && len(spec.Where) > 0 {
		return ports.Campaign{}, ErrBothKinds
	}
	now := s.d.Clock.Now()
	c := ports.Campaign{ID: newID(now), State: ports.CampaignRunning, Rate: spec.Rate, Invalidate: spec.Invalidate,
		Where: spec.Where, CreatedAt: now, UpdatedAt: now}
	c.IDs = slices.Compact(slices.Sorted(slices.Values(slices.DeleteFunc(slices.Clone(spec.IDs), func(id string) bool { return id == "" }))))
	c.Total = len(c.IDs)
	if len(spec.IDs) == 0 {
		n, err := s.d.Users.CountUsers(ctx, spec.Where)
		if err != nil {
			return ports.Campaign{}, fmt.Errorf("count the users: %w", err)
		}
		c.Total = n
	}
	if err := s.d.Store.Create(ctx, c); err != nil {
		return ports.Campaign{}, fmt.Errorf("store the campaign: %w", err)
	}
	return c, nil
}

// Pause stops a running campaign after its current page; Resume runs it again.
func (s *Service) Pause(ctx context.Context, id string) (ports.Campaign, error) {
	return s.d.Store.SetState(ctx, id, []string{ports.CampaignRunning}, ports.CampaignPaused, s.d.Clock.Now())
}

// Resume marks a paused campaign running again (a crashed one is running already);
// Run then queues it from its cursor.
func (s *Service) Resume(ctx context.Context, id string) (ports.Campaign, error) {
	return s.d.Store.SetState(ctx, id, []string{ports.CampaignPaused, ports.CampaignRunning}, ports.CampaignRunning, s.d.Clock.Now())
}

// Cancel stops a campaign for good; the e-mails queued already still go out.
func (s *Service) Cancel(ctx context.Context, id string) (ports.Campaign, error) {
	return s.d.Store.SetState(ctx, id, []string{ports.CampaignRunning, ports.CampaignPaused}, ports.CampaignCancelled, s.d.Clock.Now())
}

// Get returns one campaign.
func (s *Service) Get(ctx context.Context, id string) (ports.Campaign, error) {
	return s.d.Store.Get(ctx, id)
}

// List returns every campaign, newest first.
func (s *Service) List(ctx context.Context) ([]ports.Campaign, error) { return s.d.Store.List(ctx) }

// newID names a campaign by its start and a random suffix: sortable, unguessable
// enough that two starts in one second never collide.
func newID(now time.Time) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on the platforms Go supports
	return now.UTC().Format("20060102T150405") + "-" + hex.EncodeToString(b)
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
