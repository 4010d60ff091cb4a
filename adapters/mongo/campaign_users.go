package mongo

import (
	"context"
	"regexp"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/pwreset/pwreset/ports"
)

// MarkUnusable implements campaign.PageUsers in one updateMany and one find,
// where SetPassword takes an update a user and FerretDB reads the whole
// collection for each (it looks a document up by _id only when the filter holds
// nothing else and the id is a string or ObjectId).
//
// The update matches each of the users by id, over the forms an id could take,
// and only while the password is not unusable already: each document's update is
// atomic on MongoDB, so a password marked by another instance meanwhile stays as
// it is (and its link is signed over it, as SetPassword's caller does). hash is
// fresh (random), so the documents that hold it afterwards are those this call
// marked.
func (s *UserStore) MarkUnusable(ctx context.Context, users []ports.User, hash string, at time.Time) (map[string]bool, error) {
	marked := make(map[string]bool, len(users))
	if len(users) == 0 {
		return marked, nil
	}
	var ids bson.A
	for _, u := range users {
		ids = append(ids, idCandidates(u.ID)...)
	}
	filter := bson.D{{Key: s.m.IDField, Value: bson.D{{Key: "$in", Value: ids}}},
		{Key: s.m.PasswordField, Value: bson.D{{Key: "$not", Value: bson.Regex{Pattern: "^" + regexp.QuoteMeta(unusablePrefix)}}}}}
	set := bson.D{{Key: s.m.PasswordField, Value: hash}}
	if s.m.PasswordChangedAtField != "" {
		set = append(set, bson.E{Key: s.m.PasswordChangedAtField, Value: at})
	}
	opCtx, cancel := context.WithTimeout(ctx, s.m.Timeout)
	defer cancel()
	if _, err := s.coll.UpdateMany(opCtx, filter, bson.D{{Key: "$set", Value: set}}); err != nil {
		return nil, translateWrite(ctx, "mark passwords unusable", err)
	}
	cur, err := s.coll.Find(opCtx, bson.D{{Key: s.m.PasswordField, Value: hash}}, options.Find().SetProjection(s.m.projection()))
	var docs []bson.Raw
	if err == nil {
		err = cur.All(opCtx, &docs)
	}
	if err != nil {
		return nil, translate(ctx, "read the passwords marked unusable", err)
	}
	for _, doc := range docs {
		if u, err := s.decode(doc); err == nil {
			marked[u.ID] = true
		}
	}
	return marked, nil
}

// unusablePrefix starts Django's unusable passwords (reset.UnusablePasswordPrefix).
const unusablePrefix = "!"
