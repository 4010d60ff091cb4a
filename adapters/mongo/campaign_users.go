package mongo

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/pwreset/pwreset/ports"
)

// MarkUnusable implements campaign.PageUsers in one updateMany and one find,
// where SetPassword takes an update a user: FerretDB reads the whole collection
// for each update (it looks up by _id alone only a string or ObjectId, and only
// with nothing else in the filter), which per user made a campaign quadratic.
//
// The update's filter names each user by the hash read ($or of {id, hash}, over
// the forms the id could take, as compareAndSet tries them), so that it is a
// compare-and-set for each document, which MongoDB applies to each atomically: a
// hash changed since it was read is left alone. hash is fresh (random), so the
// documents that hold it afterwards are those this call marked.
func (s *UserStore) MarkUnusable(ctx context.Context, users []ports.User, hash string, at time.Time) (map[string]bool, error) {
	marked := make(map[string]bool, len(users))
	if len(users) == 0 {
		return marked, nil
	}
	var or bson.A
	for _, u := range users {
		for _, id := range idCandidates(u.ID) {
			or = append(or, bson.D{{Key: s.m.IDField, Value: id}, {Key: s.m.PasswordField, Value: s.storedHash(u.PasswordHash)}})
		}
	}
	set := bson.D{{Key: s.m.PasswordField, Value: hash}}
	if s.m.PasswordChangedAtField != "" {
		set = append(set, bson.E{Key: s.m.PasswordChangedAtField, Value: at})
	}
	opCtx, cancel := context.WithTimeout(ctx, s.m.Timeout)
	defer cancel()
	if _, err := s.coll.UpdateMany(opCtx, bson.D{{Key: "$or", Value: or}}, bson.D{{Key: "$set", Value: set}}); err != nil {
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
