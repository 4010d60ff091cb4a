package mongo

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/pwreset/pwreset/ports"
)

// newMessageID is the _id of msg to add: the id its caller chose, a string
// (ports.Message.ID), or else a new ObjectId.
func newMessageID(msg ports.Message) (any, error) {
	if msg.ID == "" {
		return bson.NewObjectID(), nil
	}
	if err := ports.CheckMessageID(msg.ID); err != nil {
		return nil, fmt.Errorf("mongo: outbox: %w", err)
	}
	return msg.ID, nil
}

// idString is the port's id of the _id id: an ObjectId's hex, a chosen id as it is.
func idString(id any) string {
	if oid, ok := id.(bson.ObjectID); ok {
		return oid.Hex()
	}
	s, _ := id.(string)
	return s
}

// messageID reads a port's id: the canonical (lowercase) hex of an ObjectId, or
// an id a caller chose, so that each message answers to exactly one id.
func messageID(id string) (any, bool) {
	if oid, err := bson.ObjectIDFromHex(id); err == nil && oid.Hex() == id {
		return oid, true
	}
	return id, ports.CheckMessageID(id) == nil
}

// addedBefore says whether an insert of a chosen id that err failed was refused
// because a message with that _id is stored already: adding it again then stores
// nothing new, and the id is the answer (ports.Message.ID).
func (o *Outbox) addedBefore(ctx context.Context, id any, err error) bool {
	if _, chosen := id.(string); !chosen || !mongo.IsDuplicateKeyError(err) {
		return false
	}
	// The duplicate may be a limit's ticket instead; only the _id settles it.
	ferr := o.msgs.FindOne(ctx, bson.D{{Key: "_id", Value: id}}, options.FindOne().SetProjection(bson.D{{Key: "_id", Value: 1}})).Err()
	return ferr == nil
}
