package mongotest_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/pwreset/pwreset/adapters/mongo/mongotest"
)

// TestSerialCompareAndSet: through the shared proxy, of many clients racing to
// move one document from the same old state, exactly one matches, as on MongoDB
// (FerretDB alone lets several match: it reads, then writes).
func TestSerialCompareAndSet(t *testing.T) {
	db := mongotest.NewDatabase(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	coll := db.Collection("c")
	if _, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: 1}, {Key: "v", Value: 0}}); err != nil {
		t.Fatal(err)
	}
	const racers = 16
	for round := range 3 {
		matched := make([]int64, racers)
		var wg sync.WaitGroup
		for i := range racers {
			// A client each, so that the commands come on connections of their own.
			c := mongotest.Connect(t, mongotest.URI(t)).Database(db.Name()).Collection("c")
			wg.Go(func() {
				res, err := c.UpdateOne(ctx, bson.D{{Key: "_id", Value: 1}, {Key: "v", Value: round}},
					bson.D{{Key: "$set", Value: bson.D{{Key: "v", Value: round + 1}, {Key: "by", Value: i}}}})
				if err != nil {
					t.Error(err)
					return
				}
				matched[i] = res.MatchedCount
			})
		}
		wg.Wait()
		var n int64
		for _, m := range matched {
			n += m
		}
		if n != 1 {
			t.Fatalf("round %d: %d racing updates matched; want 1", round, n)
		}
	}
}

// TestSerialRefuse: an armed refusal answers the next matching write with the
// server's write error, and the write never reaches the server; the next goes
// through.
func TestSerialRefuse(t *testing.T) {
	p, uri := mongotest.Proxy(t)
	db := mongotest.Connect(t, uri).Database(mongotest.NewDatabase(t).Name())
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	coll := db.Collection("c")
	p.Refuse("insert", "c", 121)
	_, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: 1}})
	var we mongo.WriteException
	if !errors.As(err, &we) || len(we.WriteErrors) != 1 || we.WriteErrors[0].Code != 121 {
		t.Fatalf("refused insert: %v; want a write error of code 121", err)
	}
	if n, err := coll.CountDocuments(ctx, bson.D{}); err != nil || n != 0 {
		t.Fatalf("after the refusal: %d documents (%v); want 0", n, err)
	}
	if _, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: 1}}); err != nil {
		t.Fatalf("insert after the refusal: %v", err)
	}
}
