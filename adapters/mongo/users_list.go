package mongo

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/pwreset/pwreset/ports"
)

var _ ports.UserLister = (*UserStore)(nil)

// ListUsers implements ports.UserLister in the id field's order, served by its
// index (_id, or the unique index an id field needs). The page starts after each
// value q.After can stand for (idCandidates): a collection whose ids are of one
// BSON type, as they are in any real one, pages through every user exactly once.
func (s *UserStore) ListUsers(ctx context.Context, q ports.UserQuery) ([]ports.User, error) {
	filter := where(q.Where)
	if q.After != "" {
		var after bson.A
		for _, v := range idCandidates(q.After) {
			after = append(after, bson.D{{Key: s.m.IDField, Value: bson.D{{Key: "$gt", Value: v}}}})
		}
		filter = append(filter, bson.E{Key: "$or", Value: after})
	}
	opCtx, cancel := context.WithTimeout(ctx, s.m.Timeout)
	defer cancel()
	opts := options.Find().SetProjection(s.m.projection()).SetSort(bson.D{{Key: s.m.IDField, Value: 1}}).SetLimit(int64(q.Limit))
	cur, err := s.coll.Find(opCtx, filter, opts)
	if err != nil {
		return nil, translate(ctx, "list users", err)
	}
	var docs []bson.Raw
	if err := cur.All(opCtx, &docs); err != nil {
		return nil, translate(ctx, "list users", err)
	}
	users := make([]ports.User, 0, len(docs))
	for _, doc := range docs {
		u, err := s.decode(doc)
		if err != nil {
			return nil, fmt.Errorf("mongo: list users: %w", err)
		}
		users = append(users, u)
	}
	return users, nil
}

// CountUsers implements ports.UserLister, bounded by ctx alone: it may scan.
func (s *UserStore) CountUsers(ctx context.Context, fields []ports.Field) (int, error) {
	n, err := s.coll.CountDocuments(ctx, where(fields))
	if err != nil {
		return 0, translate(ctx, "count users", err)
	}
	return int(n), nil
}

// where matches documents whose named fields are exactly these strings.
func where(fields []ports.Field) bson.D {
	filter := bson.D{}
	for _, f := range fields {
		filter = append(filter, bson.E{Key: f.Name, Value: exactString(f.Value)})
	}
	return filter
}
