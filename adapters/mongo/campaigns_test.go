package mongo_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/pwreset/pwreset/adapters/mongo"
	"github.com/pwreset/pwreset/adapters/mongo/mongotest"
	"github.com/pwreset/pwreset/domain/campaign"
	"github.com/pwreset/pwreset/ports"
	"github.com/pwreset/pwreset/ports/contract"
)

var _ campaign.PageQueue = (*mongo.Outbox)(nil)

func TestCampaignStoreContract(t *testing.T) {
	contract.TestCampaignStore(t, func(t *testing.T) ports.CampaignStore {
		return mongo.NewCampaignStore(mongotest.NewDatabase(t), "", 0)
	})
}

type campaignLetter struct{}

func (campaignLetter) Compose(u ports.User, _ bool, _ time.Time) (ports.Message, error) {
	return ports.Message{Kind: "breach_reset", UserID: u.ID, To: u.Email, Subject: "s", Text: "t"}, nil
}

type wallClock struct{}

func (wallClock) Now() time.Time { return time.Now() }

// killAt fails the n-th AddLimited after it wrote: a process killed before it
// heard the outbox's answer.
type killAt struct {
	campaign.Queue
	n atomic.Int64
}

var errKilled = errors.New("killed")

func (q *killAt) AddLimited(ctx context.Context, m ports.LimitedMessage, now time.Time) (string, int, error) {
	id, refused, err := q.Queue.AddLimited(ctx, m, now)
	if q.n.Add(-1) == 0 {
		return "", 0, errKilled
	}
	return id, refused, err
}

// killPage is the outbox a page at a time, killed in its first AddLimitedMany
// once half the page is stored: a process killed mid-insertMany.
type killPage struct{ *mongo.Outbox }

func (q killPage) AddLimitedMany(ctx context.Context, ms []ports.LimitedMessage, now time.Time) ([]int, error) {
	if _, err := q.Outbox.AddLimitedMany(ctx, ms[:len(ms)/2], now); err != nil {
		return nil, err
	}
	return nil, errKilled
}

// TestCampaignOnMongo runs a campaign over 200 users (int64 ids, listed in numeric
// order) on MongoDB's stores, killed mid-page twice and resumed: once user by
// user (a Queue), once in the middle of storing the page at once (a PageQueue, as
// the outbox is). Each user gets exactly one e-mail, and a field selects the users
// CountUsers counts.
func TestCampaignOnMongo(t *testing.T) {
	// FerretDB takes tens of milliseconds a user: longer than testCtx allows on a
	// busy machine. The test's own deadline bounds the run.
	ctx := t.Context()
	db := mongotest.NewDatabase(t)
	const n = 200
	var docs []bson.D
	for i := 1; i <= n; i++ {
		d := bson.D{{Key: "_id", Value: int64(i)}, {Key: "username", Value: fmt.Sprint("u", i)},
			{Key: "email", Value: fmt.Sprintf("u%d@example.com", i)}, {Key: "password", Value: fmt.Sprint("hash-", i)}}
		if i%10 == 0 {
			d = append(d, bson.E{Key: "language", Value: "de"})
		}
		docs = append(docs, d)
	}
	insert(t, db, docs...)
	users := mongo.NewUserStore(db, mongo.UserMapping{Collection: "users", LanguageField: "language"})
	if got, err := users.CountUsers(ctx, []ports.Field{{Name: "language", Value: "de"}}); err != nil || got != n/10 {
		t.Errorf("CountUsers language=de: %d, %v; want %d", got, err, n/10)
	}
	page, err := users.ListUsers(ctx, ports.UserQuery{After: "9", Limit: 3})
	if err != nil || len(page) != 3 || page[0].ID != "10" || page[2].ID != "12" {
		t.Errorf("ListUsers after 9: %+v, %v; want 10, 11, 12", page, err)
	}
	box := mongo.NewOutbox(db, mongo.OutboxConfig{})
	service := func(q campaign.Queue) *campaign.Service {
		return campaign.New(campaign.Deps{Store: mongo.NewCampaignStore(db, "", 0), Users: users, Queue: q,
			Letter: campaignLetter{}, Clock: wallClock{}})
	}
	c, err := service(box).Start(ctx, campaign.Spec{Rate: 1e6, Invalidate: true})
	if err != nil || c.Total != n {
		t.Fatalf("Start: %+v, %v", c, err)
	}
	q := &killAt{Queue: box}
	q.n.Store(120)
	if _, err := service(q).Run(ctx, c.ID); !errors.Is(err, errKilled) {
		t.Fatalf("run killed mid-page: %v", err)
	}
	if _, err := service(killPage{box}).Run(ctx, c.ID); !errors.Is(err, errKilled) {
		t.Fatalf("run killed while storing the page: %v", err)
	}
	if got, err := service(box).Run(ctx, c.ID); err != nil || got.State != ports.CampaignDone {
		t.Fatalf("resumed run: %+v, %v; want done", got, err)
	}
	count := map[string]int{}
	for _, id := range pendingMessages(t, db) {
		count[id]++
	}
	for i := 1; i <= n; i++ {
		if count[fmt.Sprint(i)] != 1 {
			t.Errorf("user %d got %d e-mails, want 1", i, count[fmt.Sprint(i)])
		}
	}
	if len(count) != n {
		t.Errorf("%d users got e-mails, want %d", len(count), n)
	}
}
