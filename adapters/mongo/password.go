package mongo

import (
	"context"
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/pwreset/pwreset/ports"
)

// SetPassword implements ports.UserStore as a compare-and-set: the update is
// filtered on the id and on the hash the caller read. MongoDB applies it
// atomically, so of two resets racing with the same old hash only one matches;
// FerretDB does not, so the race is first settled by inserting a guard named
// after the user and that hash (see the package doc and acquireGuard): a writer
// that finds the guard taken has lost and updates nothing. It writes the password
// field and, if configured, the changed-at field, and nothing else.
//
// When the update's outcome is unclear (its answer lost, the deadline passed),
// the user is read again: the new hash stored is a success; the old one still
// there releases the guard, so that the user's retry is not turned away, and
// reports ErrUnavailable; an unreadable user keeps the guard until it expires
// (guardTTL), as the write may still land.
func (s *UserStore) SetPassword(ctx context.Context, c ports.PasswordChange) error {
	if c.UserID == "" {
		return ports.ErrUserNotFound
	}
	opCtx, cancel := context.WithTimeout(ctx, s.m.Timeout)
	defer cancel()

	g, err := s.acquireGuard(ctx, opCtx, c)
	if errors.Is(err, errGuardHeld) {
		return s.refused(ctx, opCtx, c.UserID)
	}
	if err != nil {
		return err
	}
	err = s.compareAndSet(opCtx, c)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, errRefused):
		return s.refused(ctx, opCtx, c.UserID)
	case !unclear(err):
		// Refused by the server: the change did not happen, and the guard would
		// turn the user's retry of the same link away until it expires.
		s.releaseGuard(ctx, g)
		return translate(ctx, "set password of user "+c.UserID, err)
	}
	return s.settleUnclear(ctx, g, c, err)
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
// update, and only a refused one tries the others.
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
// whether it was made; see SetPassword. It reads with a context of its own, as
// the caller's may be what ended (a client that hung up).
func (s *UserStore) settleUnclear(ctx context.Context, g guard, c ports.PasswordChange, err error) error {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.m.Timeout)
	defer cancel()
	fail := fmt.Errorf("mongo: set password of user %s: the outcome is unknown: %w: %w", c.UserID, ports.ErrUnavailable, err)
	doc, rerr := s.coll.FindOne(rctx, s.idFilter(c.UserID),
		options.FindOne().SetProjection(bson.D{{Key: s.m.PasswordField, Value: 1}})).Raw()
	if rerr != nil {
		return errors.Join(fail, fmt.Errorf("and reading the user again failed: %w", rerr))
	}
	switch hash, _ := lookup(doc, s.m.PasswordField).StringValueOK(); hash {
	case c.NewHash:
		return nil // made; only its answer was lost
	case c.OldHash:
		s.releaseGuard(ctx, g)
	}
	return fail
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
