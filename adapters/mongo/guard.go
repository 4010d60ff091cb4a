package mongo

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/pwreset/pwreset/ports"
)

// minGuardTTL is how long a guard blocks other changes of the same password at
// least: far longer than a SetPassword takes, so that a guard expires only when
// its writer failed midway and could not release it.
const minGuardTTL = 30 * time.Second

// releaseTimeout bounds the deletion of a guard after a failed change: short, as
// the store is then likely unreachable and the guard expires anyway.
const releaseTimeout = time.Second

// errGuardHeld means another writer changed, or is changing, the same password.
var errGuardHeld = errors.New("another change of the same password came first")

// guard is a guard document this store inserted, as stored.
type guard struct {
	id      string
	expires time.Time // whole milliseconds, as MongoDB keeps it
}

// guardID names the change of userID's password from oldHash. It is a digest, so
// that pwreset's collection holds no copy of the hash and any id and hash fit.
func guardID(userID, oldHash string) string {
	sum := sha256.Sum256([]byte(userID + "\x00" + oldHash))
	return hex.EncodeToString(sum[:])
}

// guardTTL is how long a guard lives: minGuardTTL, or more where a call may take
// longer (a change, then a release).
func (m UserMapping) guardTTL() time.Duration {
	return max(minGuardTTL, 2*m.Timeout+releaseTimeout)
}

// maxMarkerSteps bounds how many expired takeover markers (see takeOver) one
// change steps over.
const maxMarkerSteps = 8

// acquireGuard inserts the guard of change c, or returns errGuardHeld when another
// writer holds it. An expired guard was left by a writer that failed midway; it
// is replaced, and the race between those who found it expired is settled by an
// insert too (see takeOver). A guard insert whose outcome is unclear is undone
// at once, so that it cannot turn the user's retry away.
func (s *UserStore) acquireGuard(caller, opCtx context.Context, c ports.PasswordChange) (guard, error) {
	id := guardID(c.UserID, c.OldHash)
	now := time.Now()
	g := guard{id: id, expires: bson.NewDateTimeFromTime(now.Add(s.m.guardTTL())).Time()}
	err := s.insertGuard(opCtx, g.id, c.UserID, g.expires)
	if err == nil {
		return g, nil
	}
	if !mongo.IsDuplicateKeyError(err) {
		s.releaseGuard(caller, g)
		return g, s.guardError(caller, c.UserID, err)
	}
	held, live, err := s.guardExpiry(opCtx, id, now)
	if err != nil {
		return g, s.guardError(caller, c.UserID, err)
	}
	if live {
		return g, errGuardHeld
	}
	won, err := s.takeOver(opCtx, id, held, c.UserID, g.expires, now)
	if err != nil {
		return g, s.guardError(caller, c.UserID, err)
	}
	if !won {
		return g, errGuardHeld
	}
	err = s.insertGuard(opCtx, g.id, c.UserID, g.expires) // a newcomer may get in between, and win
	if err != nil && !mongo.IsDuplicateKeyError(err) {
		s.releaseGuard(caller, g)
	}
	return g, s.guardError(caller, c.UserID, err)
}

// guardExpiry reads when guard (or marker) id expires, and whether it is live at
// now; one that is gone counts as live: released or being replaced, it is someone
// else's turn either way.
func (s *UserStore) guardExpiry(opCtx context.Context, id string, now time.Time) (time.Time, bool, error) {
	var held struct {
		Expires time.Time `bson:"expires_at"`
	}
	err := s.guards.FindOne(opCtx, bson.D{{Key: "_id", Value: id}}).Decode(&held)
	switch {
	case errors.Is(err, mongo.ErrNoDocuments):
		return time.Time{}, true, nil
	case err != nil:
		return time.Time{}, false, err
	}
	return held.Expires, held.Expires.After(now), nil
}

// takeOver deletes the expired guard id, which expired at held, if this writer
// wins the right to: the insert of a takeover marker "<id>@<held>". A marker's
// winner that died leaves the marker behind; once it has expired too, it is
// taken over the same way, by "<marker>@<its expiry>", and so on. So a crash at
// any step blocks the user's changes for one guardTTL at most, with no purge.
func (s *UserStore) takeOver(opCtx context.Context, id string, held time.Time, userID string, expires, now time.Time) (bool, error) {
	name, at := id, held
	for range maxMarkerSteps {
		marker := fmt.Sprintf("%s@%d", name, at.UnixMilli())
		err := s.insertGuard(opCtx, marker, userID, expires)
		if err == nil {
			// Only the marker's winner deletes the expired guard, so this cannot hit a
			// fresh one even where a delete is a query and then a delete by _id.
			_, err = s.guards.DeleteOne(opCtx, bson.D{{Key: "_id", Value: id}, {Key: "expires_at", Value: held}})
			return err == nil, err
		}
		if !mongo.IsDuplicateKeyError(err) {
			return false, err // a marker that did land expires with the guard it was for
		}
		markerExpires, live, err := s.guardExpiry(opCtx, marker, now)
		if err != nil || live {
			return false, err
		}
		name, at = marker, markerExpires
	}
	return false, nil
}

// insertGuard inserts one guard document (or takeover marker).
func (s *UserStore) insertGuard(opCtx context.Context, id, userID string, expires time.Time) error {
	_, err := s.guards.InsertOne(opCtx, bson.D{
		{Key: "_id", Value: id}, {Key: "user_id", Value: userID}, {Key: "expires_at", Value: expires}})
	return err
}

// guardError translates an error of guarding a change; a guard or marker insert
// another writer won is errGuardHeld.
func (s *UserStore) guardError(caller context.Context, userID string, err error) error {
	switch {
	case err == nil:
		return nil
	case mongo.IsDuplicateKeyError(err):
		return errGuardHeld
	}
	return translate(caller, "guard the password change of user "+userID, err)
}

// releaseGuard deletes g after a change that did not happen, so that a retry with
// the same link can proceed at once. It does its best in little time: a guard it
// cannot delete expires after guardTTL.
func (s *UserStore) releaseGuard(ctx context.Context, g guard) {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
	defer cancel()
	// Filtered on its expiry: after that, the guard may be another writer's.
	_, _ = s.guards.DeleteOne(rctx, bson.D{{Key: "_id", Value: g.id}, {Key: "expires_at", Value: g.expires}})
}

// PurgeGuards deletes the guards of password changes that expired before now, and
// returns how many it deleted. A guard stays after a successful change (the old
// hash it names cannot come back: hashes are salted), so one small document is
// left per reset; any of them may be deleted once expired, here or by hand
// (deleteMany({expires_at: {$lt: new Date()}})). Nothing else reads them.
func (s *UserStore) PurgeGuards(ctx context.Context) (int, error) {
	opCtx, cancel := context.WithTimeout(ctx, s.m.Timeout)
	defer cancel()
	res, err := s.guards.DeleteMany(opCtx, bson.D{{Key: "expires_at", Value: bson.D{{Key: "$lt", Value: time.Now()}}}})
	if err != nil {
		return 0, translate(ctx, "purge expired password-change guards", err)
	}
	return int(res.DeletedCount), nil
}
