package mongo_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	driver "go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/pwreset/pwreset/adapters/mongo"
	"github.com/pwreset/pwreset/adapters/mongo/mongotest"
)

// retention is a typical OUTBOX_RETENTION.
const retention = 7 * 24 * time.Hour

// TestEnsureIndexes: the indexes are created once, whatever the retention and
// however often they are ensured, on FerretDB (no TTL) as on MongoDB (TTL).
func TestEnsureIndexes(t *testing.T) {
	cases := []struct {
		name       string
		retentions []time.Duration // successive calls, as successive starts
	}{
		{"keep for ever", []time.Duration{0, 0}},
		{"retention", []time.Duration{retention, retention}},
		{"retention changed", []time.Duration{retention, 2 * retention}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			db := mongotest.NewDatabase(t)
			box := mongo.NewOutbox(db, mongo.OutboxConfig{Collection: "mail"})
			for _, r := range c.retentions {
				if err := box.EnsureIndexes(testCtx(t), r, "cooldown", "daily_cap"); err != nil {
					t.Fatalf("EnsureIndexes(%s): %v", r, err)
				}
			}
			msgs := indexes(t, db.Collection("mail"))
			if got, want := names(msgs), []string{"_id_", "events_1_events_at_-1", "finished_at_1", "state_1_next_attempt_at_1__id_1",
				"tickets.cooldown.even_1", "tickets.cooldown.odd_1", "tickets.daily_cap.even_1", "tickets.daily_cap.odd_1"}; !slices.Equal(got, want) {
				t.Errorf("outbox indexes = %v, want %v", got, want)
			}
			for _, ix := range msgs {
				if strings.HasPrefix(ix.Name, "tickets.") && (ix.Unique == nil || !*ix.Unique) {
					t.Errorf("%s is not unique", ix.Name)
				}
			}
			last := c.retentions[len(c.retentions)-1]
			for _, ix := range msgs {
				if ix.Name != "finished_at_1" {
					continue
				}
				switch ttl := ix.ExpireAfterSeconds; {
				case mongotest.FerretDB() || last == 0:
					if ttl != nil {
						t.Errorf("finished_at_1 has a TTL of %ds, want none", *ttl)
					}
				case ttl == nil || time.Duration(*ttl)*time.Second != max(last, 49*time.Hour):
					t.Errorf("finished_at_1 TTL = %v, want %s (49h at least)", ttl, last)
				}
			}
		})
	}
}

func indexes(t *testing.T, coll *driver.Collection) []driver.IndexSpecification {
	t.Helper()
	specs, err := coll.Indexes().ListSpecifications(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	return specs
}

func names(specs []driver.IndexSpecification) []string {
	var names []string
	for _, s := range specs {
		names = append(names, s.Name)
	}
	slices.Sort(names)
	return names
}
