package mongo

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/pwreset/pwreset/ports"
)

// UserStore is the ports.UserStore of a MongoDB users collection. It keeps no state
// of its own beyond collection handles: after an outage the driver reconnects and
// the next call simply works.
type UserStore struct {
	coll    *mongo.Collection
	durable *mongo.Collection // coll read from the primary with read concern "majority"
	m       UserMapping
	find    *options.FindOneOptionsBuilder // built once; the driver only reads it
}

var _ ports.UserStore = (*UserStore)(nil)

// NewUserStore returns a store over the collection m names in db, with m's empty
// fields set to their defaults. It creates no index and touches no data.
func NewUserStore(db *mongo.Database, m UserMapping) *UserStore {
	m = m.withDefaults()
	coll := db.Collection(m.Collection)
	return &UserStore{
		coll:    coll,
		durable: durable(coll),
		m:       m,
		find:    options.FindOne().SetProjection(m.projection()),
	}
}

// FindByLogin implements ports.UserStore: one query over every login field, so that
// a known and an unknown login cost the same round trip, then the match in the
// earliest field wins, whatever order the documents are stored in.
func (s *UserStore) FindByLogin(ctx context.Context, login string) (ports.User, error) {
	if login == "" {
		return ports.User{}, ports.ErrUserNotFound // an empty login names nobody
	}
	opCtx, cancel := context.WithTimeout(ctx, s.m.Timeout)
	defer cancel()
	var anyField bson.A
	for _, f := range s.m.LoginFields {
		anyField = append(anyField, bson.D{{Key: f, Value: exactString(login)}})
	}
	// Logins are unique in any sane collection: a few documents at most match.
	opts := options.Find().SetProjection(s.m.projection()).SetLimit(int64(8 * len(s.m.LoginFields)))
	cur, err := s.coll.Find(opCtx, bson.D{{Key: "$or", Value: anyField}}, opts)
	if err != nil {
		return ports.User{}, translate(ctx, "find user by login", err)
	}
	var docs []bson.Raw
	if err := cur.All(opCtx, &docs); err != nil {
		return ports.User{}, translate(ctx, "find user by login", err)
	}
	return s.earliestMatch(docs, login)
}

// earliestMatch returns the user whose match is in the earliest login field.
func (s *UserStore) earliestMatch(docs []bson.Raw, login string) (ports.User, error) {
	users := make([]ports.User, 0, len(docs))
	for _, doc := range docs {
		u, err := s.decode(doc)
		if err != nil {
			return ports.User{}, fmt.Errorf("mongo: find user by login: %w", err)
		}
		users = append(users, u)
	}
	for _, f := range s.m.LoginFields {
		for _, u := range users {
			if slices.Contains(u.Logins, ports.Field{Name: f, Value: login}) {
				return u, nil
			}
		}
	}
	return ports.User{}, ports.ErrUserNotFound
}

// FindByEmail implements ports.UserStore.
func (s *UserStore) FindByEmail(ctx context.Context, email string) (ports.User, error) {
	if email == "" {
		return ports.User{}, ports.ErrUserNotFound // users without an address must not match
	}
	opCtx, cancel := context.WithTimeout(ctx, s.m.Timeout)
	defer cancel()
	return s.findOne(ctx, opCtx, "find user by "+s.m.EmailField, bson.D{{Key: s.m.EmailField, Value: exactString(email)}})
}

// FindByID implements ports.UserStore. The id may stand for an ObjectId, an
// integer or a string; each form it can mean is looked up, and an id that is none
// of them simply matches nobody. An id text that names more than one account
// (the integer 123 and the string "123", an ObjectId and its hex) is refused as
// ErrUserNotFound and logged: a link must name exactly one account, and which
// one was meant cannot be told.
func (s *UserStore) FindByID(ctx context.Context, id string) (ports.User, error) {
	if id == "" {
		return ports.User{}, ports.ErrUserNotFound
	}
	opCtx, cancel := context.WithTimeout(ctx, s.m.Timeout)
	defer cancel()
	op := "find user by " + s.m.IDField
	// Two are enough to tell one account from several, in the one round trip.
	cur, err := s.coll.Find(opCtx, s.idFilter(id), options.Find().SetProjection(s.m.projection()).SetLimit(2))
	var docs []bson.Raw
	if err == nil {
		err = cur.All(opCtx, &docs)
	}
	switch {
	case err != nil:
		return ports.User{}, translate(ctx, op, err)
	case len(docs) == 0:
		return ports.User{}, ports.ErrUserNotFound
	case len(docs) > 1:
		return ports.User{}, s.ambiguous(op, id, docs)
	}
	u, err := s.decode(docs[0])
	if err != nil {
		return ports.User{}, fmt.Errorf("mongo: %s: %w", op, err)
	}
	return u, nil
}

// ambiguous logs and returns the refusal of an id text that matches several
// documents. The log names the id and the types it is stored as, nothing of the
// accounts' owners.
func (s *UserStore) ambiguous(op, id string, docs []bson.Raw) error {
	types := make([]string, len(docs))
	for i, d := range docs {
		types[i] = lookup(d, s.m.IDField).Type.String()
	}
	s.m.Logger.Warn("a reset link's user id matches more than one account; refused. "+
		"Give every account an id whose text no other account's id has",
		"collection", s.m.Collection, "id_field", s.m.IDField, "user_id", id, "stored_as", types)
	return fmt.Errorf("mongo: %s: id %q matches accounts whose ids are stored as %s: "+
		"a link must name exactly one account: %w", op, id, strings.Join(types, " and "), ports.ErrUserNotFound)
}

// findOne runs one lookup under opCtx and decodes what it finds; caller is the
// context the caller passed in, for translate.
func (s *UserStore) findOne(caller, opCtx context.Context, op string, filter bson.D) (ports.User, error) {
	doc, err := s.coll.FindOne(opCtx, filter, s.find).Raw()
	if err != nil {
		return ports.User{}, translate(caller, op, err)
	}
	u, err := s.decode(doc)
	if err != nil {
		return ports.User{}, fmt.Errorf("mongo: %s: %w", op, err)
	}
	return u, nil
}

// decode reads a user document the way the mapping says, optional parts included.
func (s *UserStore) decode(doc bson.Raw) (ports.User, error) {
	u, err := decodeUser(doc, s.m)
	if err == nil {
		s.m.readProfile(doc, &u)
	}
	return u, err
}

// idFilter matches the user whose id field holds any value id can stand for.
func (s *UserStore) idFilter(id string) bson.D {
	return bson.D{{Key: s.m.IDField, Value: bson.D{{Key: "$in", Value: idCandidates(id)}}}}
}

// exactString matches a field that is exactly the string v. A plain {field: v}
// would also match an array holding v, and find a user by a value that is not
// among its logins.
func exactString(v string) bson.D {
	return bson.D{
		{Key: "$eq", Value: v},
		{Key: "$not", Value: bson.D{{Key: "$type", Value: "array"}}},
	}
}

// DuplicateEmails counts the e-mail addresses that more than one user holds, where
// FindByEmail finds one of them, whichever the server returns first. It scans the
// collection, bounded by ctx alone: a large one takes longer than a look-up.
func (s *UserStore) DuplicateEmails(ctx context.Context) (int, error) {
	field := "$" + s.m.EmailField
	cur, err := s.coll.Aggregate(ctx, bson.A{
		bson.D{{Key: "$match", Value: bson.D{{Key: s.m.EmailField, Value: bson.D{{Key: "$type", Value: "string"}, {Key: "$ne", Value: ""}}}}}},
		bson.D{{Key: "$group", Value: bson.D{{Key: "_id", Value: field}, {Key: "n", Value: bson.D{{Key: "$sum", Value: 1}}}}}},
		bson.D{{Key: "$match", Value: bson.D{{Key: "n", Value: bson.D{{Key: "$gt", Value: 1}}}}}},
		bson.D{{Key: "$count", Value: "shared"}},
	})
	if err != nil {
		return 0, translate(ctx, "count shared e-mail addresses", err)
	}
	var out []struct {
		Shared int `bson:"shared"`
	}
	if err := cur.All(ctx, &out); err != nil {
		return 0, translate(ctx, "count shared e-mail addresses", err)
	}
	if len(out) == 0 {
		return 0, nil
	}
	return out[0].Shared, nil
}
