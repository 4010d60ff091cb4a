package mongo

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/pwreset/pwreset/ports"
)

// eventsKept is how long a finished message that counted against limits is kept
// at least: its events matter for two windows of a day and a little more (see
// counter.keepUntil). Limits of longer windows need OUTBOX_RETENTION to match.
const eventsKept = 49 * time.Hour

// AddLimited implements ports.Outbox in one insert: the message's document itself
// carries one event of each limit's key (the keys in events, their time in
// events_at) and, in fields with unique indexes, the tickets that make the limits
// exact (see tickets.go). So a failure, a lost reply, a hang-up or a crash leaves
// the message with all its events, or neither, and nothing is ever taken back.
//
// It reads the events of the limits' keys (one find), decides, and inserts; an
// insert that loses a ticket to a racing caller changes nothing and is made
// again from a new read. A link request thus costs one read and one insert; a
// limit that only records reads nothing, and one with only such limits (an
// operator's link with the daily cap off) costs the insert alone.
// After an unclear insert the document is looked for with read concern
// "majority", by the _id this call chose: found, it is the answer.
func (o *Outbox) AddLimited(ctx context.Context, m ports.LimitedMessage, now time.Time) (string, int, error) {
	if err := ports.CheckLimits(m.Limits); err != nil {
		return "", 0, fmt.Errorf("mongo: outbox: %w", err)
	}
	opCtx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	fields := ticketFields(m.Limits)
	if err := o.indexes.ensure(opCtx, fields); err != nil {
		return "", 0, o.failWrite(ctx, "create the unique indexes of the limits' tickets", err)
	}
	id, err := newMessageID(m.Message)
	if err != nil {
		return "", 0, err
	}
	for range maxTicketRounds {
		counters, err := readCounters(opCtx, o.msgs, outboxEvents, m.Limits, now)
		if err != nil {
			return "", 0, o.fail(ctx, "read the limits' events", err)
		}
		refused := slices.IndexFunc(counters, func(c *counter) bool { return !c.room(now) })
		if refused >= 0 && m.Message.To == "" {
			return o.addShared(ctx, opCtx, m, refused, now)
		}
		_, err = o.msgs.InsertOne(opCtx, limitedDoc(id, m, now, counters, fields, refused))
		switch {
		case err == nil:
			return idString(id), refused, nil
		case o.addedBefore(opCtx, id, err):
			return idString(id), -1, nil // a chosen id stored before: nothing new counted
		case refused < 0 && mongo.IsDuplicateKeyError(err):
			continue // a racing caller took a ticket: it counts now
		case unclear(err):
			return o.settleInsert(ctx, id, refused, err)
		}
		return "", 0, o.failWrite(ctx, "add a message with its limit events", err)
	}
	return "", 0, fmt.Errorf("mongo: outbox: add a message with its limit events: lost the race for a ticket %d times: %w",
		maxTicketRounds, ports.ErrUnavailable)
}

// limitedDoc is the document of m with the limits counted in counters: with its
// events and tickets if refused is -1, suppressed and counting nothing if not.
func limitedDoc(id any, m ports.LimitedMessage, now time.Time, counters []*counter, fields []string, refused int) bson.D {
	reason := m.Suppress
	if refused >= 0 {
		reason = m.Limits[refused].Reason
	}
	doc := messageDocument(id, m.Message, reason, now)
	if m.KeepBody {
		doc = keepBody(doc, m.Message)
	}
	if refused >= 0 || len(counters) == 0 {
		return doc
	}
	keys := make(bson.A, len(counters))
	ts := bson.D{}
	var keep time.Time
	for i, c := range counters {
		keys[i] = c.Key
		if !c.RecordsOnly() { // it needs none: it never refuses (tickets.go)
			ts = append(ts, bson.E{Key: fields[i], Value: c.claim(now)})
		}
		if k := c.keepUntil(now); k.After(keep) {
			keep = k
		}
	}
	return append(doc, bson.E{Key: "events", Value: keys}, bson.E{Key: "events_at", Value: now},
		bson.E{Key: "tickets", Value: ts}, bson.E{Key: "keep_until", Value: keep})
}

// settleInsert finds out whether the insert of document id, whose outcome err
// left unclear, was made: read from the primary with read concern "majority" it
// is there for good. Not found, its outcome stays unknown: ErrUnavailable.
func (o *Outbox) settleInsert(ctx context.Context, id any, refused int, err error) (string, int, error) {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), o.timeout)
	defer cancel()
	fail := fmt.Errorf("mongo: outbox: add a message with its limit events: the outcome is unknown: %w: %w", ports.ErrUnavailable, err)
	rerr := o.durable.FindOne(rctx, bson.D{{Key: "_id", Value: id}}, options.FindOne().SetProjection(bson.D{{Key: "_id", Value: 1}})).Err()
	switch {
	case rerr == nil:
		return idString(id), refused, nil // made; only its answer was lost
	case errors.Is(rerr, mongo.ErrNoDocuments):
		return "", 0, fail
	}
	return "", 0, errors.Join(fail, fmt.Errorf("and looking for the message failed: %w", rerr))
}

// LatestEvent implements ports.Outbox; the {events, events_at} index serves it.
func (o *Outbox) LatestEvent(ctx context.Context, key string) (time.Time, error) {
	opCtx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	var d struct {
		At time.Time `bson:"events_at"`
	}
	err := o.msgs.FindOne(opCtx, bson.D{{Key: "events", Value: key}}, options.FindOne().
		SetSort(bson.D{{Key: "events_at", Value: -1}}).SetProjection(bson.D{{Key: "_id", Value: 0}, {Key: "events_at", Value: 1}})).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, o.fail(ctx, "find the latest limit event", err)
	}
	return d.At.UTC(), nil
}
