package mongo

import (
	"context"
	"errors"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// maxTurnSteps bounds how many abandoned turns (see cooldown) one Allow steps over.
const maxTurnSteps = 8

// errTurnsAbandoned means cooldown met more abandoned turns than it steps over.
var errTurnsAbandoned = errors.New("too many abandoned turns; check that the instances' clocks agree")

// cooldown is Allow for limit 1, exact under races. Of the events of a key, each
// comes after the one before it, the key's latest when it was allowed; so the
// right to record the next event is named "<key>:<time of the latest event>", or
// "<key>:none" for the first, and taken by inserting a turn of that _id (see the
// package doc): of hits that read the same latest event, one wins the insert.
//
// A turn carries the time of the event it grants, which its winner then records.
// A loser reads it: within the window, it is refused until the turn's event leaves
// the window. Otherwise the turn was abandoned (its winner failed before recording
// its event) or the loser read the latest event long ago; either way the turn is
// over and the next one is named after its time, as the event it granted is the
// latest (or would have been). So the turns of a key form a chain, which a loser
// follows to its end. Times in names are Unix milliseconds, as MongoDB keeps them,
// so a name read from a turn and one read from its event agree; they hold no ':',
// so the part after the last ':' is the time and keys cannot collide.
func (r *RateLimiter) cooldown(opCtx context.Context, key string, window time.Duration, now time.Time) (bool, time.Duration, error) {
	since := now.Add(-window)
	// Not limited to the window: the latest event's time names the next turn.
	latest, found, err := r.nth(opCtx, bson.D{{Key: "key", Value: key}}, 1)
	if err != nil {
		return false, 0, err
	}
	after := "none"
	if found {
		if latest.After(since) {
			return false, latest.Add(window).Sub(now), nil
		}
		after = millis(latest)
	}
	for range maxTurnSteps {
		id := key + ":" + after
		_, err := r.turns.InsertOne(opCtx, bson.D{{Key: "_id", Value: id}, {Key: "at", Value: now}})
		if err == nil {
			// Should this fail, the turn stays taken and the key waits one window:
			// the event may have been recorded all the same (a lost answer).
			return true, 0, r.record(opCtx, key, now)
		}
		if !mongo.IsDuplicateKeyError(err) {
			return false, 0, err
		}
		var taken struct {
			At time.Time `bson:"at"`
		}
		err = r.turns.FindOne(opCtx, bson.D{{Key: "_id", Value: id}}).Decode(&taken)
		switch {
		case errors.Is(err, mongo.ErrNoDocuments):
			continue // purged meanwhile: the same turn is free again
		case err != nil:
			return false, 0, err
		case taken.At.After(since):
			return false, taken.At.Add(window).Sub(now), nil
		}
		after = millis(taken.At)
	}
	return false, 0, errTurnsAbandoned
}

// millis writes t as the Unix milliseconds MongoDB stores it in.
func millis(t time.Time) string {
	return strconv.FormatInt(int64(bson.NewDateTimeFromTime(t)), 10)
}
