package campaign_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pwreset/pwreset/adapters/memory"
	"github.com/pwreset/pwreset/domain/campaign"
	"github.com/pwreset/pwreset/ports"
)

type fixedClock struct{ now time.Time }

func (c fixedClock) Now() time.Time { return c.now }

// letter composes a plain e-mail naming the hash the link would be signed over.
type letter struct{}

func (letter) Compose(u ports.User, disabled bool, _ time.Time) (ports.Message, error) {
	return ports.Message{Kind: "breach_reset", UserID: u.ID, To: u.Email, Subject: "s", Text: "hash " + u.PasswordHash}, nil
}

// world is a campaign over memory stores: n users with ids 1..n, every third
// with German as language.
type world struct {
	users *memory.UserStore
	box   *memory.Outbox
	store *memory.CampaignStore
	clock fixedClock
	paged bool // queue through a PageQueue, as on MongoDB
}

func newWorld(n int) *world {
	w := &world{users: memory.NewUserStore([]string{"username"}), box: memory.NewOutbox(), store: memory.NewCampaignStore(),
		clock: fixedClock{time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)}}
	for i := 1; i <= n; i++ {
		u := ports.User{ID: fmt.Sprint(i), Email: fmt.Sprintf("u%d@example.com", i), PasswordHash: fmt.Sprintf("hash-%d", i),
			Logins: []ports.Field{{Name: "username", Value: fmt.Sprintf("u%d", i)}}}
		if i%3 == 0 {
			u.Language = "de"
		}
		w.users.Add(u)
	}
	return w
}

// service returns a campaign service over the world, queueing through q (the
// outbox when nil), as a fresh process would.
func (w *world) service(q campaign.Queue) *campaign.Service {
	if q == nil {
		q = w.box
	}
	if w.paged {
		q = pages{q}
	}
	var users campaign.Users = w.users
	if w.paged {
		users = pageUsers{w.users}
	}
	return campaign.New(campaign.Deps{Store: w.store, Users: users, Queue: q, Letter: letter{}, Clock: w.clock,
		Sleep: func(context.Context, time.Duration) error { return nil }})
}

// pageUsers is a PageUsers store over memory's, one compare-and-set a user.
type pageUsers struct{ *memory.UserStore }

func (p pageUsers) MarkUnusable(ctx context.Context, users []ports.User, hash string, at time.Time) (map[string]bool, error) {
	marked := map[string]bool{}
	for _, u := range users {
		err := p.SetPassword(ctx, ports.PasswordChange{UserID: u.ID, OldHash: u.PasswordHash, NewHash: hash, ChangedAt: at})
		switch {
		case err == nil:
			marked[u.ID] = true
		case !errors.Is(err, ports.ErrPasswordChanged) && !errors.Is(err, ports.ErrUserNotFound):
			return nil, err
		}
	}
	return marked, nil
}

// sent counts the pending messages of the outbox by user, claiming them all.
func (w *world) sent(t *testing.T) map[string]int {
	t.Helper()
	got := map[string]int{}
	for i := 0; ; i++ {
		env, err := w.box.Claim(context.Background(), fmt.Sprint("w", i), w.clock.now, time.Hour)
		if errors.Is(err, ports.ErrNothingDue) {
			return got
		}
		if err != nil {
			t.Fatal(err)
		}
		got[env.Message.UserID]++
	}
}

// exactlyOnce fails unless each of ids has exactly one e-mail and nobody else any.
func exactlyOnce(t *testing.T, got map[string]int, ids ...string) {
	t.Helper()
	for _, id := range ids {
		if got[id] != 1 {
			t.Errorf("user %s got %d e-mails, want 1", id, got[id])
		}
		delete(got, id)
	}
	if len(got) > 0 {
		t.Errorf("e-mails to users outside the campaign: %v", got)
	}
}

func ids(from, to int) []string {
	var s []string
	for i := from; i <= to; i++ {
		s = append(s, fmt.Sprint(i))
	}
	return s
}

var (
	_ campaign.PageQueue = pages{}
	_ campaign.PageUsers = pageUsers{}
)

// pages is a PageQueue over a Queue, one call of it for each key or message in
// turn: a failing call (a crash) ends AddLimitedMany with some of the page stored.
type pages struct{ campaign.Queue }

func (p pages) LatestEvents(ctx context.Context, keys []string) (map[string]time.Time, error) {
	latest := map[string]time.Time{}
	for _, k := range keys {
		at, err := p.LatestEvent(ctx, k)
		if err != nil {
			return nil, err
		}
		if !at.IsZero() {
			latest[k] = at
		}
	}
	return latest, nil
}

func (p pages) AddLimitedMany(ctx context.Context, ms []ports.LimitedMessage, now time.Time) ([]int, error) {
	refused := make([]int, len(ms))
	for i, m := range ms {
		var err error
		if _, refused[i], err = p.AddLimited(ctx, m, now); err != nil {
			return nil, err
		}
	}
	return refused, nil
}

// bothWays runs test with the campaign queueing user by user and page by page.
func bothWays(t *testing.T, test func(t *testing.T, paged bool)) {
	for _, paged := range []bool{false, true} {
		t.Run(fmt.Sprint("paged=", paged), func(t *testing.T) { test(t, paged) })
	}
}

// crashingQueue stops the process (returns errCrash) at its after-th AddLimited,
// once that call wrote or not as write says: a crash after the outbox took the
// message but before its answer reached the campaign, or before the write.
type crashingQueue struct {
	campaign.Queue
	mu    sync.Mutex
	after int
	write bool
}

var errCrash = errors.New("injected crash")

func (q *crashingQueue) AddLimited(ctx context.Context, m ports.LimitedMessage, now time.Time) (string, int, error) {
	q.mu.Lock()
	q.after--
	crash := q.after == 0
	q.mu.Unlock()
	if crash && !q.write {
		return "", 0, errCrash
	}
	id, refused, err := q.Queue.AddLimited(ctx, m, now)
	if crash {
		return "", 0, errCrash
	}
	return id, refused, err
}

// TestCrashMidPageResumes kills the campaign twice in the middle of a page (once
// after a write whose answer was lost, once before a write), restarts it each time
// from what the store holds, and checks that every user got exactly one e-mail,
// that the counts add up, and that the campaign is done.
func TestCrashMidPageResumes(t *testing.T) {
	bothWays(t, func(t *testing.T, paged bool) { crashMidPage(t, paged) })
}

func crashMidPage(t *testing.T, paged bool) {
	for _, invalidate := range []bool{false, true} {
		t.Run(fmt.Sprint("invalidate=", invalidate), func(t *testing.T) {
			ctx := context.Background()
			w := newWorld(1234)
			w.paged = paged
			c, err := w.service(nil).Start(ctx, campaign.Spec{Rate: 1e6, Invalidate: invalidate})
			if err != nil {
				t.Fatal(err)
			}
			for _, crash := range []*crashingQueue{{Queue: w.box, after: 777, write: true}, {Queue: w.box, after: 100}} {
				if _, err := w.service(crash).Run(ctx, c.ID); !errors.Is(err, errCrash) {
					t.Fatalf("run with a crash: %v, want the crash", err)
				}
			}
			got, err := w.service(nil).Run(ctx, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.State != ports.CampaignDone || got.Done < 1234 || got.Total != 1234 {
				t.Errorf("campaign after resuming: %+v, want done with 1234 users", got)
			}
			exactlyOnce(t, w.sent(t), ids(1, 1234)...)
			for _, id := range []string{"1", "777", "877", "1234"} {
				u, _ := w.users.FindByID(ctx, id)
				if unusable := strings.HasPrefix(u.PasswordHash, "!"); unusable != invalidate {
					t.Errorf("user %s's hash %q: unusable %v, want %v", id, u.PasswordHash, unusable, invalidate)
				}
			}
		})
	}
}

// TestResumeKeepsNewPasswords: a user reached before a crash who sets a new
// password before the page is queued again keeps it; it is not marked unusable
// a second time, and gets no second e-mail.
func TestResumeKeepsNewPasswords(t *testing.T) { bothWays(t, resumeKeepsNewPasswords) }

func resumeKeepsNewPasswords(t *testing.T, paged bool) {
	ctx := context.Background()
	w := newWorld(10)
	w.paged = paged
	c, err := w.service(nil).Start(ctx, campaign.Spec{Rate: 1e6, Invalidate: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.service(&crashingQueue{Queue: w.box, after: 5, write: true}).Run(ctx, c.ID); !errors.Is(err, errCrash) {
		t.Fatalf("run: %v, want the crash", err)
	}
	u, _ := w.users.FindByID(ctx, "2")
	if err := w.users.SetPassword(ctx, ports.PasswordChange{UserID: "2", OldHash: u.PasswordHash, NewHash: "new-hash"}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.service(nil).Run(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	if u, _ := w.users.FindByID(ctx, "2"); u.PasswordHash != "new-hash" {
		t.Errorf("user 2's new password was replaced by %q", u.PasswordHash)
	}
	exactlyOnce(t, w.sent(t), ids(1, 10)...)
}

// TestConcurrentInstances runs one campaign in four instances at once: each user
// still gets exactly one e-mail.
func TestConcurrentInstances(t *testing.T) { bothWays(t, concurrentInstances) }

func concurrentInstances(t *testing.T, paged bool) {
	ctx := context.Background()
	w := newWorld(500)
	w.paged = paged
	c, err := w.service(nil).Start(ctx, campaign.Spec{Rate: 1e6})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			if _, err := w.service(nil).Run(ctx, c.ID); err != nil && !errors.Is(err, ports.ErrCampaignState) {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	exactlyOnce(t, w.sent(t), ids(1, 500)...)
}

// TestFilters selects users by a list of ids (unknown and repeated ids included)
// and by a field's value.
func TestFilters(t *testing.T) {
	ctx := context.Background()
	for name, tc := range map[string]struct {
		spec campaign.Spec
		want []string
	}{
		"ids":   {campaign.Spec{IDs: []string{"5", "12", "5", "999", "3", ""}}, []string{"3", "5", "12"}},
		"where": {campaign.Spec{Where: []ports.Field{{Name: "language", Value: "de"}}}, []string{"3", "6", "9", "12", "15", "18"}},
	} {
		t.Run(name, func(t *testing.T) {
			w := newWorld(20)
			tc.spec.Rate = 2 // pages of 2: the cursor moves several times
			c, err := w.service(nil).Start(ctx, tc.spec)
			if err != nil {
				t.Fatal(err)
			}
			got, err := w.service(nil).Run(ctx, c.ID)
			if err != nil || got.State != ports.CampaignDone || got.Queued != len(tc.want) {
				t.Errorf("run: %+v, %v; want done with %d queued", got, err, len(tc.want))
			}
			exactlyOnce(t, w.sent(t), tc.want...)
		})
	}
}

// pausingQueue pauses or cancels the campaign (as another instance's command
// would) at its n-th message.
type pausingQueue struct {
	campaign.Queue
	mu     sync.Mutex
	n      int
	action func()
}

func (q *pausingQueue) AddLimited(ctx context.Context, m ports.LimitedMessage, now time.Time) (string, int, error) {
	q.mu.Lock()
	q.n--
	act := q.n == 0
	q.mu.Unlock()
	if act {
		q.action()
	}
	return q.Queue.AddLimited(ctx, m, now)
}

// TestPauseResumeCancel pauses a campaign mid-page: it stops after that page, and
// resuming reaches the rest exactly once. A cancelled campaign stops and cannot
// be resumed.
func TestPauseResumeCancel(t *testing.T) {
	ctx := context.Background()
	w := newWorld(50)
	s := w.service(nil)
	c, err := s.Start(ctx, campaign.Spec{Rate: 10}) // pages of 10
	if err != nil {
		t.Fatal(err)
	}
	pause := &pausingQueue{Queue: w.box, n: 15, action: func() {
		if _, err := s.Pause(ctx, c.ID); err != nil {
			t.Error(err)
		}
	}}
	got, err := w.service(pause).Run(ctx, c.ID)
	if err != nil || got.State != ports.CampaignPaused {
		t.Fatalf("run while paused: %+v, %v; want paused", got, err)
	}
	if n := len(w.sent(t)); n != 20 {
		t.Errorf("%d e-mails before the pause took effect, want 20 (the page in flight ends)", n)
	}
	if _, err := s.Resume(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	cancel := &pausingQueue{Queue: w.box, n: 5, action: func() {
		if _, err := s.Cancel(ctx, c.ID); err != nil {
			t.Error(err)
		}
	}}
	if got, err = w.service(cancel).Run(ctx, c.ID); err != nil || got.State != ports.CampaignCancelled {
		t.Fatalf("run while cancelled: %+v, %v; want cancelled", got, err)
	}
	if n := len(w.sent(t)); n != 10 {
		t.Errorf("%d e-mails after resuming until cancelled, want 10", n)
	}
	if _, err := s.Resume(ctx, c.ID); !errors.Is(err, ports.ErrCampaignState) {
		t.Errorf("resume a cancelled campaign: %v, want ErrCampaignState", err)
	}
	if got, _ := s.Run(ctx, c.ID); got.State != ports.CampaignCancelled {
		t.Errorf("run a cancelled campaign: state %s", got.State)
	}
}

// TestRate: the campaign never queues faster than its rate. The sleeps it asks for
// add up to what n messages at the rate take.
func TestRate(t *testing.T) {
	ctx := context.Background()
	w := newWorld(100)
	var slept time.Duration
	s := campaign.New(campaign.Deps{Store: w.store, Users: w.users, Queue: w.box, Letter: letter{}, Clock: w.clock,
		Sleep: func(_ context.Context, d time.Duration) error { slept = max(slept, d); return nil }})
	c, err := s.Start(ctx, campaign.Spec{Rate: 20})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Run(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	// The clock stands still, so the last wait is for the 100th message: 99/20 s.
	if want := 99 * time.Second / 20; slept != want {
		t.Errorf("longest wait %v, want %v", slept, want)
	}
}

// TestStartRefuses a rate of 0 and a filter of both kinds.
func TestStartRefuses(t *testing.T) {
	w := newWorld(1)
	for _, spec := range []campaign.Spec{{}, {Rate: -1}, {Rate: 1, IDs: []string{"1"}, Where: []ports.Field{{Name: "email", Value: "x"}}}} {
		if _, err := w.service(nil).Start(context.Background(), spec); err == nil {
			t.Errorf("start %+v: no error", spec)
		}
	}
	if all, _ := w.store.List(context.Background()); len(all) != 0 {
		t.Errorf("refused starts stored %d campaigns", len(all))
	}
}
