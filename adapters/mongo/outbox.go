package mongo

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/pwreset/pwreset/ports"
)

// OutboxConfig says where an Outbox keeps its messages. Empty fields take the
// defaults noted beside them.
type OutboxConfig struct {
	// Collection holds the messages (OUTBOX_COLLECTION); default "outbox". The
	// claims of their delivery attempts go to Collection + "_claims".
	Collection string
	// Timeout bounds each call on top of the caller's own deadline; default
	// DefaultTimeout.
	Timeout time.Duration
}

// Outbox is the ports.Outbox of a MongoDB collection that pwreset owns, shared by
// every instance of the service. A message is one document, its _id an ObjectId
// whose hex is the port's id. Claims are settled by inserts into the claims
// collection (see the package doc), so it is exact on FerretDB too.
type Outbox struct {
	msgs    *mongo.Collection
	claims  *mongo.Collection
	timeout time.Duration
}

var _ ports.Outbox = (*Outbox)(nil)

// NewOutbox returns the outbox cfg names in db, with cfg's empty fields set to
// their defaults. It touches nothing; call EnsureIndexes once at start.
func NewOutbox(db *mongo.Database, cfg OutboxConfig) *Outbox {
	if cfg.Collection == "" {
		cfg.Collection = "outbox"
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	return &Outbox{
		msgs:    db.Collection(cfg.Collection),
		claims:  db.Collection(cfg.Collection + "_claims"),
		timeout: cfg.Timeout,
	}
}

// Add implements ports.Outbox.
func (o *Outbox) Add(ctx context.Context, msg ports.Message, now time.Time) (string, error) {
	opCtx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	id := bson.NewObjectID()
	_, err := o.msgs.InsertOne(opCtx, bson.D{
		{Key: "_id", Value: id},
		{Key: "state", Value: ports.StatePending},
		{Key: "attempts", Value: 0},
		{Key: "created_at", Value: now},
		{Key: "next_attempt_at", Value: now},
		{Key: "message", Value: toMessageDoc(msg)},
	})
	if err != nil {
		return "", o.fail(ctx, "add a message", err)
	}
	return id.Hex(), nil
}

// Discard implements ports.Outbox. It is one insert like Add, of a document of
// the same shape, so that a suppressed request costs what a queued one does.
func (o *Outbox) Discard(ctx context.Context, msg ports.Message, reason string, now time.Time) (string, error) {
	opCtx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	id := bson.NewObjectID()
	body := toMessageDoc(ports.Message{Kind: msg.Kind, From: msg.From, To: msg.To, UserID: msg.UserID})
	_, err := o.msgs.InsertOne(opCtx, bson.D{
		{Key: "_id", Value: id},
		{Key: "state", Value: ports.StateSuppressed},
		{Key: "attempts", Value: 0},
		{Key: "created_at", Value: now},
		{Key: "next_attempt_at", Value: now},
		{Key: "finished_at", Value: now},
		{Key: "last_error", Value: reason},
		{Key: "message", Value: body},
	})
	if err != nil {
		return "", o.fail(ctx, "discard a message", err)
	}
	return id.Hex(), nil
}

// Get implements ports.Outbox.
func (o *Outbox) Get(ctx context.Context, id string) (ports.Envelope, error) {
	oid, ok := messageID(id)
	if !ok {
		return ports.Envelope{}, ports.ErrMessageNotFound
	}
	opCtx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	var d envelopeDoc
	if err := o.msgs.FindOne(opCtx, bson.D{{Key: "_id", Value: oid}}).Decode(&d); err != nil {
		return ports.Envelope{}, o.fail(ctx, "get message "+id, err)
	}
	return d.envelope(), nil
}

// Delete implements ports.Outbox. The claims of the message's attempts stay until
// Purge: nothing reads them once the message is gone.
func (o *Outbox) Delete(ctx context.Context, id string) error {
	oid, ok := messageID(id)
	if !ok {
		return ports.ErrMessageNotFound
	}
	opCtx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	res, err := o.msgs.DeleteOne(opCtx, bson.D{{Key: "_id", Value: oid}})
	if err != nil {
		return o.fail(ctx, "delete message "+id, err)
	}
	if res.DeletedCount == 0 {
		return ports.ErrMessageNotFound
	}
	return nil
}

// messageID reads a port's id; only the canonical (lowercase) hex of an ObjectId
// names a message, so that each message answers to exactly one id.
func messageID(id string) (bson.ObjectID, bool) {
	oid, err := bson.ObjectIDFromHex(id)
	return oid, err == nil && oid.Hex() == id
}

// fail translates a driver error of operation op: no document is
// ErrMessageNotFound, the rest as translate does.
func (o *Outbox) fail(caller context.Context, op string, err error) error {
	if errors.Is(err, mongo.ErrNoDocuments) {
		return ports.ErrMessageNotFound
	}
	return translate(caller, "outbox: "+op, err)
}
