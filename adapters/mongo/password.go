package mongo

import (
	"context"
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readconcern"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"

	"github.com/pwreset/pwreset/ports"
)

// SetPassword implements ports.UserStore as a compare-and-set: one update filtered
// on the id and on the hash the caller read, which MongoDB applies to the document
// atomically, so that of resets racing with the same old hash exactly one
// matches. It writes the password field and, if configured, the changed-at
// field, and nothing else.
//
// A write the server refused (validation, privileges) wraps ErrWriteRefused: it
// did not apply. When the outcome is unclear (the answer lost, the deadline
// passed), the user is read again from the primary with read concern
// "majority", which no failover can roll back: the new hash stored is a success;
// anything else is ErrUnavailable, as the write may still be in flight or may
// not survive (see settleUnclear).
func (s *UserStore) SetPassword(ctx context.Context, c ports.PasswordChange) error {
	if c.UserID == "" {
		return ports.ErrUserNotFound
	}
	opCtx, cancel := context.WithTimeout(ctx, s.m.Timeout)
	defer cancel()
	err := s.compareAndSet(opCtx, c)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, errRefused):
		return s.refused(ctx, opCtx, c.UserID)
	case unclear(err):
		return s.settleUnclear(ctx, c, err)
	}
	return translateWrite(ctx, "set password of user "+c.UserID, err)
}

// errRefused means the compare-and-set matched no user: the hash moved on, or
// the user is gone.
var errRefused = errors.New("the password changed since it was read")

// compareAndSet stores c.NewHash if the user still has c.OldHash; errRefused if
// not. Other errors are the driver's, untranslated.
//
// The update names the id by one exact value, never by $in over the forms it
// could take: a sharded collection (before MongoDB 7.1) refuses that. The forms
// are tried most specific first (an ObjectId or a number before the string), so
// the first one matches wherever the ids are of one type: a reset takes one
// update, and only a refused one tries the others. The old hash in the filter
// binds the update to the account that was read: another document whose id has
// the same text (see FindByID) has a hash of its own.
func (s *UserStore) compareAndSet(opCtx context.Context, c ports.PasswordChange) error {
	set := bson.D{{Key: s.m.PasswordField, Value: c.NewHash}}
	if s.m.PasswordChangedAtField != "" {
		set = append(set, bson.E{Key: s.m.PasswordChangedAtField, Value: c.ChangedAt})
	}
	forms := idCandidates(c.UserID)
	for i := len(forms) - 1; i >= 0; i-- {
		filter := bson.D{{Key: s.m.IDField, Value: forms[i]}, {Key: s.m.PasswordField, Value: s.storedHash(c.OldHash)}}
		res, err := s.coll.UpdateOne(opCtx, filter, bson.D{{Key: "$set", Value: set}})
		if err != nil {
			return err
		}
		if res.MatchedCount > 0 {
			return nil
		}
	}
	return errRefused
}

// refused tells why a change was refused: ErrPasswordChanged, or ErrUserNotFound
// when the user is gone. A lookup on the id alone tells which; ErrNoDocuments
// becomes ErrUserNotFound.
func (s *UserStore) refused(caller, opCtx context.Context, userID string) error {
	err := s.coll.FindOne(opCtx, s.idFilter(userID), options.FindOne().SetProjection(bson.D{{Key: "_id", Value: 1}})).Err()
	if err != nil {
		return translate(caller, "check user "+userID+" after a refused password change", err)
	}
	return ports.ErrPasswordChanged
}

// settleUnclear finds out, after an update whose outcome err left unclear,
// whether it was made. It reads with a context of its own, as the caller's may
// be what ended (a client that hung up), from the primary with read concern
// "majority": a write that reached the primary but not yet a majority, and so
// could still be rolled back by a failover, is not taken for a success. Only
// the new hash read that way is one; otherwise the outcome stays unknown
// (ErrUnavailable): the write may still be in flight.
func (s *UserStore) settleUnclear(ctx context.Context, c ports.PasswordChange, err error) error {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.m.Timeout)
	defer cancel()
	fail := fmt.Errorf("mongo: set password of user %s: the outcome is unknown: %w: %w", c.UserID, ports.ErrUnavailable, err)
	doc, rerr := s.durable.FindOne(rctx, s.idFilter(c.UserID),
		options.FindOne().SetProjection(bson.D{{Key: s.m.PasswordField, Value: 1}})).Raw()
	if rerr != nil {
		return errors.Join(fail, fmt.Errorf("and reading the user again failed: %w", rerr))
	}
	if hash, _ := lookup(doc, s.m.PasswordField).StringValueOK(); hash == c.NewHash {
		return nil // made, and kept by a majority; only its answer was lost
	}
	return fail
}

// durable returns coll read from the primary with read concern "majority": what
// such a read returns no failover can take back.
func durable(coll *mongo.Collection) *mongo.Collection {
	return coll.Database().Collection(coll.Name(), options.Collection().
		SetReadConcern(readconcern.Majority()).SetReadPreference(readpref.Primary()))
}

// unclear tells whether err leaves open whether a write was made: the server
// could not be reached or answer in time, or the caller gave up waiting.
func unclear(err error) bool {
	return unavailable(err) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// storedHash matches the password field holding hash as decodeUser reads it: a
// user without a password (field missing or null) reads as "".
func (s *UserStore) storedHash(hash string) any {
	if hash == "" {
		return bson.D{{Key: "$in", Value: bson.A{"", nil}}}
	}
	return bson.D{{Key: "$eq", Value: hash}}
}
