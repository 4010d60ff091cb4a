package mongo

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/pwreset/pwreset/ports"
)

// maxTurnSteps bounds how many turns that are over (see cooldown) one Allow steps
// over. One that reaches it leaves a cursor where it stopped, for the next one.
const maxTurnSteps = 32

// errTurnsAbandoned means cooldown met more turns that are over than it steps
// over in one call: the store failed many times in a row, or the instances'
// clocks disagree. The next call goes on from where this one stopped.
var errTurnsAbandoned = fmt.Errorf("too many abandoned rate-limit turns in a row; check that the instances' clocks agree: %w", ports.ErrUnavailable)

// cooldown is Allow for limit 1, exact under races. Of the events of a key, each
// comes after the one before it, the key's latest when it was allowed; so the
// right to record the next event is named "<key>:<time of the latest event>", or
// "<key>:none" for the first, and taken by inserting a turn of that _id (see the
// package doc): of hits that read the same latest event, one wins the insert.
//
// A turn carries the time of the event it grants, which its winner then records
// (under the turn's name as _id). A loser reads it: while it counts (see counts),
// the loser is refused until the turn's time leaves the window. Otherwise the
// turn is over and the next one is named after its time, as the event it granted
// is the latest (or would have been). So the turns of a key form a chain, which a
// loser follows to its end. Times in names are Unix milliseconds, as MongoDB
// keeps them, so a name read from a turn and one read from its event agree; they
// hold no ':', so the part after the last ':' is the time and keys cannot collide.
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
	jumped := false
	for range maxTurnSteps {
		id := key + ":" + after
		_, err := r.turns.InsertOne(opCtx, bson.D{{Key: "_id", Value: id}, {Key: "key", Value: key}, {Key: "at", Value: now}})
		if err == nil {
			return true, 0, r.recordTurn(opCtx, id, key, now)
		}
		if !mongo.IsDuplicateKeyError(err) {
			return false, 0, err
		}
		if !jumped { // once: a former call may have left a cursor further down the chain
			jumped = true
			if at, ok, err := r.cursor(opCtx, key); err != nil {
				return false, 0, err
			} else if ok && (!found || at.After(latest)) {
				after = millis(at)
				continue
			}
		}
		var taken struct {
			At time.Time `bson:"at"`
		}
		err = r.turns.FindOne(opCtx, bson.D{{Key: "_id", Value: id}}).Decode(&taken)
		switch {
		case errors.Is(err, mongo.ErrNoDocuments):
			continue // purged or given back meanwhile: the same turn is free again
		case err != nil:
			return false, 0, err
		}
		counts, err := r.counts(opCtx, key, taken.At, since, now)
		if err != nil {
			return false, 0, err
		}
		if counts {
			return false, taken.At.Add(window).Sub(now), nil
		}
		after = millis(taken.At)
	}
	r.setCursor(opCtx, key, after)
	return false, 0, errTurnsAbandoned
}

// counts tells whether a turn taken at `at` still holds its key: while in the
// window, unless it was abandoned. A turn is abandoned when its event is missing
// although its winner is done: the record failed, or a failed request undid it
// (Undo), and the clean-up of the turn failed too. Then it must not silence the
// next request. Its winner is done abandonAfter after the turn's time at most.
func (r *RateLimiter) counts(opCtx context.Context, key string, at, since, now time.Time) (bool, error) {
	if !at.After(since) {
		return false, nil
	}
	if now.Sub(at) < r.abandonAfter() {
		return true, nil // its winner may still be recording the event
	}
	err := r.events.FindOne(opCtx, bson.D{{Key: "key", Value: key}, {Key: "at", Value: at}},
		options.FindOne().SetProjection(bson.D{{Key: "_id", Value: 1}})).Err()
	if errors.Is(err, mongo.ErrNoDocuments) {
		return false, nil
	}
	return err == nil, err
}

// abandonAfter is how long after a turn's time its winner may still record its
// event: its whole Allow, and more for clocks that disagree a little.
func (r *RateLimiter) abandonAfter() time.Duration { return 2*r.timeout + time.Second }

// recordTurn records the event the turn id granted, under the turn's name. If it
// fails, the turn and the event (should it have landed, its answer lost) are
// taken back, so that the failed request does not silence the next one; what
// cannot be taken back no longer counts once abandonAfter has passed.
func (r *RateLimiter) recordTurn(opCtx context.Context, id, key string, now time.Time) error {
	_, err := r.events.InsertOne(opCtx, event{ID: id, Key: key, At: now, Turn: &now})
	if err == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(opCtx), releaseTimeout)
	defer cancel()
	if _, derr := r.events.DeleteOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "at", Value: now}}); derr == nil {
		_, _ = r.turns.DeleteOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "at", Value: now}})
	}
	return err
}

// cursorID names the document that says where a chain of turns that are over
// ends, as far as a former call followed it. No turn has that name: theirs end
// in digits or "none".
func cursorID(key string) string { return key + ":cursor" }

// cursor returns the time of the last turn a former call found over, if any.
func (r *RateLimiter) cursor(opCtx context.Context, key string) (time.Time, bool, error) {
	var c struct {
		At time.Time `bson:"at"`
	}
	err := r.turns.FindOne(opCtx, bson.D{{Key: "_id", Value: cursorID(key)}}).Decode(&c)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return time.Time{}, false, nil
	}
	return c.At.UTC(), err == nil, err
}

// setCursor records that the chain of key is over up to the turn after is named
// after, so that the next call starts there: with enough calls, any chain ends.
// A turn that is over stays over, so any cursor, even one set late, is right.
func (r *RateLimiter) setCursor(opCtx context.Context, key, after string) {
	ms, err := strconv.ParseInt(after, 10, 64)
	if err != nil {
		return
	}
	at := bson.DateTime(ms).Time()
	_, _ = r.turns.UpdateOne(opCtx, bson.D{{Key: "_id", Value: cursorID(key)}},
		bson.D{{Key: "$max", Value: bson.D{{Key: "at", Value: at}}}, {Key: "$set", Value: bson.D{{Key: "key", Value: key}}}},
		options.UpdateOne().SetUpsert(true))
}

// millis writes t as the Unix milliseconds MongoDB stores it in.
func millis(t time.Time) string {
	return strconv.FormatInt(int64(bson.NewDateTimeFromTime(t)), 10)
}
