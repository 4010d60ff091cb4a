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

// The outbox a page of a campaign at a time (campaign.PageQueue, which the
// campaign tests check it implements): one find of the page's events and one
// insertMany of its messages, instead of a find, a find and an insert a user. On
// MongoDB each find is served by the {events, events_at} index; FerretDB reads
// the whole collection for each, which per user made a campaign quadratic in its
// size.

// duplicateKey is the server's code for an insert that a unique index refused.
const duplicateKey = 11000

// LatestEvents implements campaign.PageQueue in one find.
func (o *Outbox) LatestEvents(ctx context.Context, keys []string) (map[string]time.Time, error) {
	latest := make(map[string]time.Time, len(keys))
	if len(keys) == 0 {
		return latest, nil
	}
	opCtx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	proj := bson.D{{Key: "_id", Value: 0}, {Key: "events", Value: 1}, {Key: "events_at", Value: 1}}
	cur, err := o.msgs.Find(opCtx, bson.D{{Key: "events", Value: bson.D{{Key: "$in", Value: keys}}}}, options.Find().SetProjection(proj))
	var docs []struct {
		Events []string  `bson:"events"`
		At     time.Time `bson:"events_at"`
	}
	if err == nil {
		err = cur.All(opCtx, &docs)
	}
	if err != nil {
		return nil, o.fail(ctx, "find the latest limit events", err)
	}
	for _, d := range docs {
		for _, k := range d.Events {
			if slices.Contains(keys, k) && d.At.After(latest[k]) {
				latest[k] = d.At.UTC()
			}
		}
	}
	return latest, nil
}

// AddLimitedMany implements campaign.PageQueue: it reads the events of every
// message's limits in one find, decides each message as AddLimited does, and
// inserts them all in one unordered insertMany, each document with its own events
// and tickets, so that each insert is as atomic as AddLimited's one. A document
// that loses a ticket to a racing caller (a duplicate key), or whose insert's
// outcome is unclear, is then added on its own by AddLimited, which reads again
// and decides again: the limits hold exactly as they do for AddLimited. A message
// with an id of its own, or one a limit refuses without an address (a stranger's),
// takes AddLimited's way from the start.
func (o *Outbox) AddLimitedMany(ctx context.Context, ms []ports.LimitedMessage, now time.Time) ([]int, error) {
	refused := make([]int, len(ms))
	docs, at, alone, err := o.pageDocs(ctx, ms, now, refused)
	if err != nil {
		return nil, err
	}
	if len(docs) > 0 {
		lost, err := o.insertPage(ctx, docs)
		if err != nil {
			return nil, err
		}
		for _, j := range lost {
			alone = append(alone, at[j])
		}
	}
	for _, i := range alone {
		if _, refused[i], err = o.AddLimited(ctx, ms[i], now); err != nil {
			return nil, err
		}
	}
	return refused, nil
}

// pageDocs reads the events of ms's limits and returns the documents to insert,
// the index in ms of each, and the indexes of the messages to add on their own.
// It sets refused for each message it makes a document of.
func (o *Outbox) pageDocs(ctx context.Context, ms []ports.LimitedMessage, now time.Time, refused []int) (docs []any, at, alone []int, err error) {
	var limits []ports.Limit
	for _, m := range ms {
		if err := ports.CheckLimits(m.Limits); err != nil {
			return nil, nil, nil, fmt.Errorf("mongo: outbox: %w", err)
		}
		limits = append(limits, m.Limits...)
	}
	opCtx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	counters, err := readCounters(opCtx, o.msgs, outboxEvents, limits, now)
	if err != nil {
		return nil, nil, nil, o.fail(ctx, "read the limits' events", err)
	}
	for i, m := range ms {
		cs := counters[:len(m.Limits)]
		counters = counters[len(m.Limits):]
		fields := ticketFields(m.Limits)
		if err := o.indexes.ensure(opCtx, fields); err != nil {
			return nil, nil, nil, o.failWrite(ctx, "create the unique indexes of the limits' tickets", err)
		}
		r := slices.IndexFunc(cs, func(c *counter) bool { return !c.room(now) })
		if m.Message.ID != "" || (r >= 0 && m.Message.To == "") {
			alone = append(alone, i)
			continue
		}
		refused[i] = r
		docs = append(docs, limitedDoc(bson.NewObjectID(), m, now, cs, fields, r))
		at = append(at, i)
	}
	return docs, at, alone, nil
}

// insertPage inserts docs, unordered, and returns the indexes of those to add
// again on their own: each that lost a ticket, or all when the outcome is unclear.
func (o *Outbox) insertPage(ctx context.Context, docs []any) ([]int, error) {
	opCtx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	_, err := o.msgs.InsertMany(opCtx, docs, options.InsertMany().SetOrdered(false))
	var bwe mongo.BulkWriteException
	switch {
	case err == nil:
		return nil, nil
	case errors.As(err, &bwe) && bwe.WriteConcernError == nil && len(bwe.WriteErrors) > 0:
		var lost []int
		for _, we := range bwe.WriteErrors {
			if we.Code != duplicateKey {
				return nil, o.failWrite(ctx, "add messages with their limit events", err)
			}
			lost = append(lost, we.Index)
		}
		return lost, nil
	case unclear(err) && ctx.Err() == nil:
		all := make([]int, len(docs))
		for j := range all {
			all[j] = j
		}
		return all, nil
	}
	return nil, o.failWrite(ctx, "add messages with their limit events", err)
}
