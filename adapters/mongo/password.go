package mongo

import (
	"context"
	"errors"

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
	err = s.compareAndSet(ctx, opCtx, c)
	if err != nil && !errors.Is(err, ports.ErrPasswordChanged) && !errors.Is(err, ports.ErrUserNotFound) {
		// The change did not happen (or its answer was lost): the guard would turn
		// the user's retry of the same link away until it expires.
		s.releaseGuard(ctx, g)
	}
	return err
}

// compareAndSet stores c.NewHash if the user's hash is still c.OldHash.
func (s *UserStore) compareAndSet(caller, opCtx context.Context, c ports.PasswordChange) error {
	set := bson.D{{Key: s.m.PasswordField, Value: c.NewHash}}
	if s.m.PasswordChangedAtField != "" {
		set = append(set, bson.E{Key: s.m.PasswordChangedAtField, Value: c.ChangedAt})
	}
	filter := append(s.idFilter(c.UserID), bson.E{Key: s.m.PasswordField, Value: s.storedHash(c.OldHash)})
	res, err := s.coll.UpdateOne(opCtx, filter, bson.D{{Key: "$set", Value: set}})
	if err != nil {
		return translate(caller, "set password of user "+c.UserID, err)
	}
	if res.MatchedCount > 0 {
		return nil
	}
	return s.refused(caller, opCtx, c.UserID)
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

// storedHash matches the password field holding hash as decodeUser reads it: a
// user without a password (field missing or null) reads as "".
func (s *UserStore) storedHash(hash string) any {
	if hash == "" {
		return bson.D{{Key: "$in", Value: bson.A{"", nil}}}
	}
	return bson.D{{Key: "$eq", Value: hash}}
}
