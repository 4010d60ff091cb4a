package mongo

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/pwreset/pwreset/ports"
)

// SetPassword implements ports.UserStore as a compare-and-set in one UpdateOne,
// filtered on the id and on the hash the caller read: MongoDB applies a single
// document update atomically, so of two resets racing with the same old hash only
// one matches. (FerretDB v1 does not give that guarantee: it runs an update as a
// read, then a write by _id.) It writes the password field and, if configured,
// the changed-at field, and nothing else.
func (s *UserStore) SetPassword(ctx context.Context, c ports.PasswordChange) error {
	if c.UserID == "" {
		return ports.ErrUserNotFound
	}
	opCtx, cancel := context.WithTimeout(ctx, s.m.Timeout)
	defer cancel()

	set := bson.D{{Key: s.m.PasswordField, Value: c.NewHash}}
	if s.m.PasswordChangedAtField != "" {
		set = append(set, bson.E{Key: s.m.PasswordChangedAtField, Value: c.ChangedAt})
	}
	filter := append(s.idFilter(c.UserID), bson.E{Key: s.m.PasswordField, Value: s.storedHash(c.OldHash)})
	res, err := s.coll.UpdateOne(opCtx, filter, bson.D{{Key: "$set", Value: set}})
	if err != nil {
		return translate(ctx, "set password of user "+c.UserID, err)
	}
	if res.MatchedCount > 0 {
		return nil
	}

	// Nothing matched: either the hash moved on or the user is gone. A lookup on
	// the id alone tells which; ErrNoDocuments becomes ErrUserNotFound.
	err = s.coll.FindOne(opCtx, s.idFilter(c.UserID), options.FindOne().SetProjection(bson.D{{Key: "_id", Value: 1}})).Err()
	if err != nil {
		return translate(ctx, "check user "+c.UserID+" after a refused password change", err)
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
