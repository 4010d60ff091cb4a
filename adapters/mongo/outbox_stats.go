package mongo

import (
	"context"
	"errors"
	"regexp"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/pwreset/pwreset/ports"
)

// eventKind matches the kind of an event (ports.EventKindPrefix): a prefix
// regular expression, which FerretDB takes as MongoDB does.
var eventKind = bson.Regex{Pattern: "^" + regexp.QuoteMeta(ports.EventKindPrefix)}

// Stats implements ports.Outbox; every state has a count, zero included. The
// finished states (sent, suppressed), most of the collection, are counted on
// their state alone, the first key of the messages' index, so that MongoDB counts
// index entries rather than read the documents. The messages in
// ports.SplitStates, which wait or were given up, are few: each family's are
// counted by state in one aggregation, and its oldest unfinished one is found in
// another command (FerretDB v1 has neither $cond nor $min, which would do both
// families in one). Six commands in all, as many as before the families.
func (o *Outbox) Stats(ctx context.Context) (ports.OutboxStats, error) {
	opCtx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	s := ports.NewOutboxStats()
	for _, state := range []string{ports.StateSent, ports.StateSuppressed} {
		n, err := o.msgs.CountDocuments(opCtx, bson.D{{Key: "state", Value: state}})
		if err != nil {
			return s, o.fail(ctx, "count "+state+" messages", err)
		}
		s.Add(state, false, int(n))
	}
	for _, event := range []bool{false, true} {
		kind := bson.D{{Key: "$not", Value: eventKind}}
		if event {
			kind = bson.D{{Key: "$regex", Value: eventKind}}
		}
		if err := o.countFamily(opCtx, &s, event, kind); err != nil {
			return s, o.fail(ctx, "count the unfinished and failed messages", err)
		}
		created, err := o.oldestUnfinished(opCtx, kind)
		if err != nil {
			return s, o.fail(ctx, "find the oldest unfinished message", err)
		}
		s.Oldest(event, created)
	}
	return s, nil
}

// countFamily counts by state the messages in ports.SplitStates whose kind
// matches kind, those of one family, into s.
func (o *Outbox) countFamily(ctx context.Context, s *ports.OutboxStats, event bool, kind bson.D) error {
	cur, err := o.msgs.Aggregate(ctx, mongo.Pipeline{
		{{Key: "$match", Value: bson.D{
			{Key: "state", Value: bson.D{{Key: "$in", Value: ports.SplitStates}}},
			{Key: "message.kind", Value: kind},
		}}},
		{{Key: "$group", Value: bson.D{{Key: "_id", Value: "$state"}, {Key: "n", Value: bson.D{{Key: "$sum", Value: 1}}}}}},
	})
	var groups []struct {
		State string `bson:"_id"`
		N     int    `bson:"n"`
	}
	if err == nil {
		err = cur.All(ctx, &groups)
	}
	for _, g := range groups {
		s.Add(g.State, event, g.N)
	}
	return err
}

// oldestUnfinished returns when the oldest pending or sending message whose kind
// matches kind was created; zero if there is none.
func (o *Outbox) oldestUnfinished(ctx context.Context, kind bson.D) (time.Time, error) {
	var oldest struct {
		CreatedAt time.Time `bson:"created_at"`
	}
	err := o.msgs.FindOne(ctx,
		bson.D{
			{Key: "state", Value: bson.D{{Key: "$in", Value: bson.A{ports.StatePending, ports.StateSending}}}},
			{Key: "message.kind", Value: kind},
		},
		options.FindOne().SetSort(bson.D{{Key: "created_at", Value: 1}}).SetProjection(bson.D{{Key: "created_at", Value: 1}}),
	).Decode(&oldest)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return time.Time{}, nil
	}
	return oldest.CreatedAt, err
}

// MailWaiting implements ports.Outbox: one count on the state, the first key of
// the messages' index, so that only the unfinished messages are read.
func (o *Outbox) MailWaiting(ctx context.Context) (int, error) {
	opCtx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	n, err := o.msgs.CountDocuments(opCtx, bson.D{
		{Key: "state", Value: bson.D{{Key: "$in", Value: bson.A{ports.StatePending, ports.StateSending}}}},
		{Key: "message.kind", Value: bson.D{{Key: "$not", Value: eventKind}}},
	})
	if err != nil {
		return 0, o.fail(ctx, "count the e-mails waiting", err)
	}
	return int(n), nil
}
