package mongo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/pwreset/pwreset/ports"
)

// event is one document of the events collection. Turn is set on the events of
// limit-1 keys (to their time), whose _id names their turn (see
// ratelimit_turns.go): it sets them apart in survey.
type event struct {
	ID   any        `bson:"_id"`
	Key  string     `bson:"key"`
	At   time.Time  `bson:"at"`
	Turn *time.Time `bson:"turn,omitempty"`
}

// AllowAll implements ports.RateLimiter, until the link's limits move to
// Outbox.AddLimited (issue 17), which counts them with the message in one insert
// and keeps every limit exact; AllowAll keeps only limits of 1 exact. It takes two
// round trips: one aggregate (survey)
// tells how full each window is, then one ordered insertMany records an event of
// every key. The events of limit-1 keys come first, each under the name of its
// turn, "<key>:<time of the key's latest event>" (see ratelimit_turns.go): of requests racing
// on such a key, one inserts the name and the others fail on it and, the insert
// being ordered, insert nothing after it. So a refusal records nothing, and limit 1
// stays exact under races. A refusal survey finds costs no write; the retryAfter of
// a full cap costs one read more, and a lost race one read of the winner.
func (r *RateLimiter) AllowAll(ctx context.Context, limits []ports.Limit, now time.Time) (int, time.Duration, error) {
	if err := ports.CheckLimits(limits); err != nil {
		return 0, 0, fmt.Errorf("mongo: %w", err)
	}
	if len(limits) == 0 {
		return -1, 0, nil
	}
	opCtx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	refused, retry, err := r.allowAll(opCtx, limits, now)
	if err != nil {
		return 0, 0, r.fail(ctx, "allow events", err)
	}
	return refused, retry, nil
}

// allowAll is AllowAll within opCtx, its errors untranslated.

func (r *RateLimiter) allowAll(opCtx context.Context, limits []ports.Limit, now time.Time) (int, time.Duration, error) {
	seen, err := r.survey(opCtx, limits, now)
	if err != nil {
		return 0, 0, err
	}
	turns := map[int]string{} // limit index: name of its turn
	for i, l := range limits {
		since := now.Add(-l.Window)
		if l.Max == 1 {
			latest, found, err := r.latestTurn(opCtx, l.Key, seen[l.Key])
			if err != nil {
				return 0, 0, err
			}
			if found && latest.After(since) {
				return i, latest.Add(l.Window).Sub(now), nil
			}
			turns[i] = turnName(l.Key, latest, found)
			continue
		}
		if seen[l.Key].n < l.Max {
			continue
		}
		at, found, err := r.nth(opCtx, bson.D{{Key: "key", Value: l.Key}, {Key: "at", Value: bson.D{{Key: "$gt", Value: since}}}}, l.Max)
		if err != nil {
			return 0, 0, err
		}
		if found { // else the events were taken back meanwhile: there is room
			return i, at.Add(l.Window).Sub(now), nil
		}
	}
	return r.recordAll(opCtx, limits, turns, now)
}

// seen is what survey found of one key: how many events its window holds (all it
// has, for a limit-1 key), and the times of its turns.
type seen struct {
	n     int
	turns []time.Time
	other bool // events without a turn: of limit 1 before AllowAll, or of larger limits
}

// survey counts, in one aggregate, the events of each limit's key in its window,
// or, for a limit-1 key, all its events, each turn apart with its time: the latest
// names the next turn. FerretDB v1 groups with $sum and $count only, so the turns'
// times come as part of the group's _id.
func (r *RateLimiter) survey(opCtx context.Context, limits []ports.Limit, now time.Time) (map[string]*seen, error) {
	or := make(bson.A, len(limits))
	for i, l := range limits {
		if l.Max == 1 {
			or[i] = bson.D{{Key: "key", Value: l.Key}}
		} else {
			or[i] = bson.D{{Key: "key", Value: l.Key}, {Key: "at", Value: bson.D{{Key: "$gt", Value: now.Add(-l.Window)}}}}
		}
	}
	cur, err := r.events.Aggregate(opCtx, mongo.Pipeline{
		{{Key: "$match", Value: bson.D{{Key: "$or", Value: or}}}},
		{{Key: "$group", Value: bson.D{
			{Key: "_id", Value: bson.D{{Key: "key", Value: "$key"}, {Key: "turn", Value: "$turn"}}},
			{Key: "n", Value: bson.D{{Key: "$sum", Value: 1}}}}}},
	})
	if err != nil {
		return nil, err
	}
	var rows []struct {
		ID struct {
			Key  string     `bson:"key"`
			Turn *time.Time `bson:"turn"`
		} `bson:"_id"`
		N int `bson:"n"`
	}
	if err := cur.All(opCtx, &rows); err != nil {
		return nil, err
	}
	found := make(map[string]*seen, len(limits))
	for _, l := range limits {
		found[l.Key] = &seen{}
	}
	for _, row := range rows {
		s := found[row.ID.Key]
		if s == nil {
			continue
		}
		s.n += row.N
		if row.ID.Turn != nil {
			s.turns = append(s.turns, row.ID.Turn.UTC())
		} else {
			s.other = true
		}
	}
	return found, nil
}

// latestTurn returns the time of the latest event of a limit-1 key, from what
// survey saw of it; only events recorded without a turn's time (by an earlier
// version) take a read of their own.
func (r *RateLimiter) latestTurn(opCtx context.Context, key string, s *seen) (time.Time, bool, error) {
	if s.other {
		return r.nth(opCtx, bson.D{{Key: "key", Value: key}}, 1)
	}
	var latest time.Time
	for _, t := range s.turns {
		if t.After(latest) {
			latest = t
		}
	}
	return latest, len(s.turns) > 0, nil
}

// recordAll inserts the events of limits at now, turns first, in one ordered
// insertMany. When a turn is taken, it reads the winner's event: if it is in its
// window the request is refused; if not (the instances' clocks disagree, and the
// latest event by time is not the last of the chain), the turn after it is tried.
func (r *RateLimiter) recordAll(opCtx context.Context, limits []ports.Limit, turns map[int]string, now time.Time) (int, time.Duration, error) {
	for range maxTurnSteps {
		docs, order := eventDocs(limits, turns, now)
		lost, err := r.insertEvents(opCtx, docs)
		if err != nil {
			return 0, 0, err
		}
		if lost < 0 {
			return -1, 0, nil
		}
		i := order[lost]
		var winner event
		err = r.events.FindOne(opCtx, bson.D{{Key: "_id", Value: turns[i]}}).Decode(&winner)
		switch {
		case errors.Is(err, mongo.ErrNoDocuments):
			continue // taken back meanwhile: the same turn is free again
		case err != nil:
			return 0, 0, err
		}
		at := winner.At.UTC()
		if at.After(now.Add(-limits[i].Window)) {
			return i, at.Add(limits[i].Window).Sub(now), nil
		}
		turns[i] = turnName(limits[i].Key, at, true)
	}
	return 0, 0, errTurnsAbandoned
}

// eventDocs returns the events of limits at now, those of turns first, and the
// index of the limit of each.
func eventDocs(limits []ports.Limit, turns map[int]string, now time.Time) ([]any, []int) {
	docs, order := make([]any, 0, len(limits)), make([]int, 0, len(limits))
	for i, l := range limits {
		if name, ok := turns[i]; ok {
			docs, order = append(docs, event{ID: name, Key: l.Key, At: now, Turn: &now}), append(order, i)
		}
	}
	for i, l := range limits {
		if _, ok := turns[i]; !ok {
			docs, order = append(docs, event{ID: bson.NewObjectID(), Key: l.Key, At: now}), append(order, i)
		}
	}
	return docs, order
}

// insertEvents inserts docs in order and returns -1, or the index of the turn it
// found taken, having deleted the events inserted before it. On any other failure
// it deletes whatever may have landed, its answer lost, so that a failed request
// does not hold back the next one.
func (r *RateLimiter) insertEvents(opCtx context.Context, docs []any) (int, error) {
	_, err := r.events.InsertMany(opCtx, docs)
	if err == nil {
		return -1, nil
	}
	var bulk mongo.BulkWriteException
	if errors.As(err, &bulk) && bulk.WriteConcernError == nil && len(bulk.WriteErrors) == 1 &&
		mongo.IsDuplicateKeyError(bulk.WriteErrors[0]) {
		// A turn taken by another request: the events before it are deleted.
		if lost := bulk.WriteErrors[0].Index; lost >= 0 && lost < len(docs) && named(docs[lost]) {
			if lost == 0 {
				return 0, nil
			}
			return lost, r.deleteEvents(opCtx, docs[:lost])
		}
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(opCtx), releaseTimeout)
	defer cancel()
	_ = r.deleteEvents(ctx, docs)
	return 0, err
}

// named tells whether doc is the event of a turn, under its name.
func named(doc any) bool {
	_, ok := doc.(event).ID.(string)
	return ok
}

// deleteEvents deletes docs, by _id and time: a turn of the same name recorded by
// another request meanwhile stays.
func (r *RateLimiter) deleteEvents(ctx context.Context, docs []any) error {
	ids := make(bson.A, len(docs))
	for i, d := range docs {
		ids[i] = d.(event).ID
	}
	_, err := r.events.DeleteMany(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}},
		{Key: "at", Value: docs[0].(event).At}})
	return err
}

// releaseTimeout bounds the deletion of events whose insert failed: short, as the
// store is then likely unreachable.
const releaseTimeout = time.Second
