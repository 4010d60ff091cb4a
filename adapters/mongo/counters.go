package mongo

import (
	"context"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/pwreset/pwreset/ports"
)

// eventFields names where a collection keeps its events: the key or keys of an
// event (a string, or an array of them) and its time; the tickets are always
// under "tickets".
type eventFields struct{ key, at string }

var (
	outboxEvents  = eventFields{key: "events", at: "events_at"} // in a message's document
	limiterEvents = eventFields{key: "key", at: "at"}           // in the rate limiter's
)

// readCounters reads, in one find on coll, the events of each limit's key since
// its counter's start (see counter.since), and returns a counter of each limit,
// in order. A limit that only records (ports.Limit.RecordsOnly) reads none: it
// always has room, and takes no tickets (counter.claim), so its events would
// tell it nothing; reading them cost a link every event of its user's day
// (issue 21). With only such limits there is no find at all.
func readCounters(opCtx context.Context, coll *mongo.Collection, f eventFields, limits []ports.Limit, now time.Time) ([]*counter, error) {
	counters := make([]*counter, len(limits))
	reads := false
	for i, l := range limits {
		counters[i] = newCounter(l)
		reads = reads || !l.RecordsOnly()
	}
	if !reads {
		return counters, nil
	}
	proj := bson.D{{Key: "_id", Value: 0}, {Key: f.key, Value: 1}, {Key: f.at, Value: 1}, {Key: "tickets", Value: 1}}
	cur, err := coll.Find(opCtx, eventsFilter(f, counters, now), options.Find().SetProjection(proj))
	var docs []bson.Raw
	if err == nil {
		err = cur.All(opCtx, &docs)
	}
	if err != nil {
		return nil, err
	}
	for _, d := range docs {
		at, ok := d.Lookup(f.at).TimeOK()
		if !ok {
			continue // the query matched a date; only a field of another type gets here
		}
		keys, ts := eventKeys(d.Lookup(f.key)), eventTickets(d.Lookup("tickets"))
		for _, c := range counters {
			if slices.Contains(keys, c.Key) {
				c.see(at, ts...)
			}
		}
	}
	return counters, nil
}

// eventsFilter matches the events of the counters' keys since each counter's
// start: one clause for each start, naming its keys with $in (a page of a
// campaign has hundreds of keys of one window; FerretDB tries each clause of an
// $or on each document).
func eventsFilter(f eventFields, counters []*counter, now time.Time) bson.D {
	var starts []time.Time
	keys := map[int64]bson.A{} // by start, in Unix milliseconds
	for _, c := range counters {
		if c.RecordsOnly() {
			continue // always has room: its events would tell it nothing
		}
		since := c.since(now)
		if _, ok := keys[since.UnixMilli()]; !ok {
			starts = append(starts, since)
		}
		keys[since.UnixMilli()] = append(keys[since.UnixMilli()], c.Key)
	}
	or := make(bson.A, len(starts))
	for i, since := range starts {
		or[i] = bson.D{{Key: f.key, Value: bson.D{{Key: "$in", Value: keys[since.UnixMilli()]}}}, {Key: f.at, Value: bson.D{{Key: "$gte", Value: since}}}}
	}
	if len(or) == 1 {
		return or[0].(bson.D)
	}
	return bson.D{{Key: "$or", Value: or}}
}

// eventKeys reads the key field of an event: a string, or an array of them.
func eventKeys(v bson.RawValue) []string {
	if k, ok := v.StringValueOK(); ok {
		return []string{k}
	}
	arr, ok := v.ArrayOK()
	if !ok {
		return nil
	}
	vals, _ := arr.Values()
	keys := make([]string, 0, len(vals))
	for _, e := range vals {
		if k, ok := e.StringValueOK(); ok {
			keys = append(keys, k)
		}
	}
	return keys
}

// eventTickets reads the tickets of an event, of every limit it counts in.
func eventTickets(v bson.RawValue) []tickets {
	doc, ok := v.DocumentOK()
	if !ok {
		return nil
	}
	elems, _ := doc.Elements()
	ts := make([]tickets, 0, len(elems))
	for _, e := range elems {
		var t tickets
		if pair, ok := e.Value().DocumentOK(); ok && bson.Unmarshal(pair, &t) == nil {
			ts = append(ts, t)
		}
	}
	return ts
}
