package mongo_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	driver "go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/pwreset/pwreset/adapters/mongo"
	"github.com/pwreset/pwreset/adapters/mongo/mongotest"
	"github.com/pwreset/pwreset/domain/campaign"
	"github.com/pwreset/pwreset/ports"
)

// TestCampaignPagesRace: three callers store one page of 30 campaign e-mails at
// once (two instances resuming a campaign), through two clients, and the first
// user was reached before. Each other user's e-mail is stored to go out exactly
// once, by one of the callers; the rest are stored refused by the limit; the
// first user gets nothing new. LatestEvents then finds every user's event.
func TestCampaignPagesRace(t *testing.T) {
	db := mongotest.NewDatabase(t)
	boxes := []*mongo.Outbox{prepareOutbox(t, db), prepareOutbox(t, sameDatabase(t, db)), prepareOutbox(t, db)}
	const n = 30
	ms := make([]ports.LimitedMessage, n)
	keys := make([]string, n)
	for i := range ms {
		keys[i] = campaign.Key("c1", fmt.Sprint(i))
		ms[i] = ports.LimitedMessage{Message: sample(i), Limits: []ports.Limit{{Key: keys[i], Max: 1, Window: campaign.Window, Reason: campaign.ReasonSentAlready}}}
	}
	if _, refused, err := boxes[0].AddLimited(testCtx(t), ms[0], t0); err != nil || refused != -1 {
		t.Fatalf("AddLimited of user 0 = %d, %v", refused, err)
	}
	results := make([][]int, len(boxes))
	var wg sync.WaitGroup
	for b, box := range boxes {
		wg.Go(func() {
			var err error
			if results[b], err = box.AddLimitedMany(testCtx(t), ms, t0.Add(time.Second)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	for i := range n {
		stored := 0
		for _, r := range results {
			if len(r) == n && r[i] < 0 {
				stored++
			}
		}
		if want := min(i, 1); stored != want {
			t.Errorf("user %d: stored to go out by %d callers, want %d", i, stored, want)
		}
	}
	per := map[string]int{}
	for _, m := range pendingMessages(t, db) {
		per[m]++
	}
	for i := range n {
		if per[fmt.Sprint(i)] != 1 {
			t.Errorf("user %d has %d pending e-mails, want 1", i, per[fmt.Sprint(i)])
		}
	}
	latest, err := boxes[1].LatestEvents(testCtx(t), append(keys, campaign.Key("c1", "nobody")))
	if err != nil || len(latest) != n || !latest[keys[0]].Equal(t0) || !latest[keys[1]].Equal(t0.Add(time.Second)) {
		t.Errorf("LatestEvents = %d keys (%v, %v), %v; want the %d users', user 0's at t0", len(latest), latest[keys[0]], latest[keys[1]], err, n)
	}
}

// pendingMessages returns the user ids of the pending messages of db's outbox,
// one for each message.
func pendingMessages(t *testing.T, db *driver.Database) []string {
	t.Helper()
	cur, err := db.Collection("outbox").Find(testCtx(t), bson.D{{Key: "state", Value: ports.StatePending}})
	if err != nil {
		t.Fatal(err)
	}
	var msgs []struct {
		Message struct {
			UserID string `bson:"user_id"`
		} `bson:"message"`
	}
	if err := cur.All(testCtx(t), &msgs); err != nil {
		t.Fatal(err)
	}
	ids := make([]string, len(msgs))
	for i, m := range msgs {
		ids[i] = m.Message.UserID
	}
	return ids
}

// TestMarkUnusable: the page's passwords are marked in one update, each only if
// it is not unusable already: one another instance marked since the page was read
// stays as it is, and so does a user's outside the page with the same hash.
func TestMarkUnusable(t *testing.T) {
	db := mongotest.NewDatabase(t)
	insert(t, db,
		bson.D{{Key: "_id", Value: int64(1)}, {Key: "email", Value: "a@example.com"}, {Key: "password", Value: "h1"}},
		bson.D{{Key: "_id", Value: "2"}, {Key: "email", Value: "b@example.com"}, {Key: "password", Value: "h2"}},
		bson.D{{Key: "_id", Value: int64(3)}, {Key: "email", Value: "c@example.com"}, {Key: "password", Value: "h3"}},
		bson.D{{Key: "_id", Value: int64(4)}, {Key: "email", Value: "d@example.com"}, {Key: "password", Value: "h1"}})
	users := mongo.NewUserStore(db, mongo.UserMapping{Collection: "users", PasswordChangedAtField: "changed_at"})
	var page []ports.User
	for _, id := range []string{"1", "2", "3"} {
		u, err := users.FindByID(testCtx(t), id)
		if err != nil {
			t.Fatal(err)
		}
		page = append(page, u)
	}
	if _, err := db.Collection("users").UpdateOne(testCtx(t), bson.D{{Key: "_id", Value: int64(3)}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "password", Value: "!marked by another"}}}}); err != nil {
		t.Fatal(err)
	}
	marked, err := users.MarkUnusable(testCtx(t), page, "!fresh", t0)
	if err != nil || len(marked) != 2 || !marked["1"] || !marked["2"] {
		t.Fatalf("MarkUnusable = %v, %v; want users 1 and 2", marked, err)
	}
	for id, want := range map[any]string{int64(1): "!fresh", "2": "!fresh", int64(3): "!marked by another", int64(4): "h1"} {
		doc := rawUser(t, db, id)
		if doc["password"] != want {
			t.Errorf("user %v: password %v, want %q", id, doc["password"], want)
		}
		if _, changed := doc["changed_at"]; changed != (want == "!fresh") {
			t.Errorf("user %v: changed_at %v", id, doc["changed_at"])
		}
	}
}
