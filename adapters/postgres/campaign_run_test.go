package postgres_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pwreset/pwreset/adapters/postgres"
	"github.com/pwreset/pwreset/domain/campaign"
	"github.com/pwreset/pwreset/ports"
)

type campaignLetter struct{}

func (campaignLetter) Compose(u ports.User, _ bool, _ time.Time) (ports.Message, error) {
	return ports.Message{Kind: "breach_reset", UserID: u.ID, To: u.Email, Subject: "s", Text: "t"}, nil
}

type wallClock struct{}

func (wallClock) Now() time.Time { return time.Now() }

// crashAt fails the n-th AddLimited after it wrote: a process killed before it
// heard the outbox's answer.
type crashAt struct {
	campaign.Queue
	n atomic.Int64
}

var errKilled = errors.New("killed")

func (q *crashAt) AddLimited(ctx context.Context, m ports.LimitedMessage, now time.Time) (string, int, error) {
	id, refused, err := q.Queue.AddLimited(ctx, m, now)
	if q.n.Add(-1) == 0 {
		return "", 0, errKilled
	}
	return id, refused, err
}

// TestCampaignOnPostgres runs a campaign over 3,000 users (integer ids, listed in
// numeric order, every tenth with German as language) on PostgreSQL's stores: it
// is killed mid-page twice, then three instances resume it at once; each user
// gets exactly one e-mail in the outbox, and the users a field selects are those
// CountUsers counts.
func TestCampaignOnPostgres(t *testing.T) {
	// Thousands of users take longer than testCtx allows on a busy machine: the
	// test's own deadline bounds the run.
	ctx := t.Context()
	pool := migrated(t)
	exec(t, pool, `CREATE TABLE users (id bigint PRIMARY KEY, username text, email text, password text, language text)`)
	exec(t, pool, `INSERT INTO users SELECT i, 'u' || i, 'u' || i || '@example.com', 'hash-' || i,
		CASE WHEN i % 10 = 0 THEN 'de' END FROM generate_series(1, 3000) AS i`)
	users := newUserStore(t, pool, postgres.UserMapping{LanguageColumn: "language"})
	if n, err := users.CountUsers(ctx, []ports.Field{{Name: "language", Value: "de"}}); err != nil || n != 300 {
		t.Errorf("CountUsers language=de: %d, %v; want 300", n, err)
	}
	page, err := users.ListUsers(ctx, ports.UserQuery{After: "9", Limit: 3})
	if err != nil || len(page) != 3 || page[0].ID != "10" || page[2].ID != "12" {
		t.Errorf("ListUsers after 9: %+v, %v; want 10, 11, 12 (numeric order)", page, err)
	}
	box := postgres.NewOutbox(pool, 0)
	service := func(q campaign.Queue) *campaign.Service {
		return campaign.New(campaign.Deps{Store: postgres.NewCampaignStore(pool, 0), Users: users, Queue: q,
			Letter: campaignLetter{}, Clock: wallClock{}})
	}
	c, err := service(box).Start(ctx, campaign.Spec{Rate: 1e6, Invalidate: true})
	if err != nil || c.Total != 3000 {
		t.Fatalf("Start: %+v, %v", c, err)
	}
	for _, n := range []int64{700, 1250} {
		q := &crashAt{Queue: box}
		q.n.Store(n)
		if _, err := service(q).Run(ctx, c.ID); !errors.Is(err, errKilled) {
			t.Fatalf("run killed at message %d: %v", n, err)
		}
	}
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			if _, err := service(box).Run(ctx, c.ID); err != nil && !errors.Is(err, ports.ErrCampaignState) {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	var users1, messages, unusable int
	row := pool.QueryRow(ctx, `SELECT count(DISTINCT user_id), count(*) FROM pwreset_outbox WHERE state = 'pending'`)
	if err := row.Scan(&users1, &messages); err != nil {
		t.Fatal(err)
	}
	if users1 != 3000 || messages != 3000 {
		t.Errorf("outbox: %d pending messages to %d users; want one to each of 3000", messages, users1)
	}
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM users WHERE password LIKE '!%'`).Scan(&unusable); err != nil || unusable != 3000 {
		t.Errorf("%d unusable passwords, %v; want 3000", unusable, err)
	}
	if got, err := service(box).Get(ctx, c.ID); err != nil || got.State != ports.CampaignDone {
		t.Errorf("campaign: %+v, %v; want done", got, err)
	}
	// serve purges limit events older than the longest window (a day): a campaign
	// resumed later still finds who it reached.
	exec(t, pool, `INSERT INTO pwreset_rate_limits (key, at) VALUES ('send-link:x', now() - interval '2 days')`)
	if n, err := postgres.NewRateLimiter(pool, 0).Purge(ctx, time.Now().Add(time.Hour)); err != nil || n != 1 {
		t.Errorf("Purge: %d, %v; want the one link event", n, err)
	}
	if _, err := service(box).Run(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	exec(t, pool, `UPDATE pwreset_campaigns SET state = 'running', cursor = '2500'`)
	if _, err := service(box).Run(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM pwreset_outbox WHERE state = 'pending'`).Scan(&messages); err != nil || messages != 3000 {
		t.Errorf("%d pending messages after the purge and a rerun of the last 500 users (%v), want 3000", messages, err)
	}
}
