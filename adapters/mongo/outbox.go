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
	// Collection holds the messages (OUTBOX_COLLECTION); default "outbox".
	Collection string
	// Timeout bounds each call on top of the caller's own deadline; default
	// DefaultTimeout.
	Timeout time.Duration
	// CallersClock makes the outbox judge leases and due times by the now its
	// callers pass rather than by the server's clock: for tests that play out
	// times of their own, never for a service.
	CallersClock bool
}

// Outbox is the ports.Outbox of a MongoDB collection that pwreset owns, shared by
// every instance of the service. A message is one document, its _id an ObjectId
// whose hex is the port's id; a message AddLimited counted also carries its limit
// events and their tickets (see tickets.go). Every change is one
// single-document write, which MongoDB applies atomically.
type Outbox struct {
	msgs    *mongo.Collection
	durable *mongo.Collection // msgs read from the primary with read concern "majority"
	timeout time.Duration
	clock   *serverClock
	indexes *ticketIndexes
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
	msgs := db.Collection(cfg.Collection)
	return &Outbox{
		msgs:    msgs,
		durable: durable(msgs),
		timeout: cfg.Timeout,
		clock:   &serverClock{db: db, fixed: cfg.CallersClock},
		indexes: &ticketIndexes{coll: msgs},
	}
}

// Add implements ports.Outbox.
func (o *Outbox) Add(ctx context.Context, msg ports.Message, now time.Time) (string, error) {
	id, err := newMessageID(msg)
	if err != nil {
		return "", err
	}
	return o.insert(ctx, "add a message", messageDocument(id, msg, "", now))
}

// Discard implements ports.Outbox. It is one insert like Add, of a document of
// the same shape, so that a suppressed request costs what a queued one does.
func (o *Outbox) Discard(ctx context.Context, msg ports.Message, reason string, now time.Time) (string, error) {
	id, err := newMessageID(msg)
	if err != nil {
		return "", err
	}
	return o.insert(ctx, "discard a message", messageDocument(id, msg, reason, now))
}

// insert inserts doc and returns its _id as the port's id; a chosen _id stored
// already is that id, and nothing new.
func (o *Outbox) insert(ctx context.Context, op string, doc bson.D) (string, error) {
	opCtx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	if _, err := o.msgs.InsertOne(opCtx, doc); err != nil && !o.addedBefore(opCtx, doc[0].Value, err) {
		return "", o.failWrite(ctx, op, err)
	}
	return idString(doc[0].Value), nil
}

// messageDocument is the document of msg added at now: pending and due, or with
// a reason suppressed (finished, never to be sent, its body erased).
func messageDocument(id any, msg ports.Message, reason string, now time.Time) bson.D {
	doc := bson.D{
		{Key: "_id", Value: id},
		{Key: "state", Value: ports.StatePending},
		{Key: "attempts", Value: 0},
		{Key: "created_at", Value: now},
		{Key: "next_attempt_at", Value: now},
	}
	if reason == "" {
		return append(doc, bson.E{Key: "message", Value: toMessageDoc(msg)})
	}
	doc[1].Value = ports.StateSuppressed
	body := toMessageDoc(ports.Message{Kind: msg.Kind, From: msg.From, To: msg.To, UserID: msg.UserID})
	return append(doc, bson.E{Key: "finished_at", Value: now}, bson.E{Key: "last_error", Value: reason},
		bson.E{Key: "message", Value: body})
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

// Delete implements ports.Outbox. The limit events the message carried go with
// it: a link counts as long as its message is kept.
func (o *Outbox) Delete(ctx context.Context, id string) error {
	oid, ok := messageID(id)
	if !ok {
		return ports.ErrMessageNotFound
	}
	opCtx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	res, err := o.msgs.DeleteOne(opCtx, bson.D{{Key: "_id", Value: oid}})
	if err != nil {
		return o.failWrite(ctx, "delete message "+id, err)
	}
	if res.DeletedCount == 0 {
		return ports.ErrMessageNotFound
	}
	return nil
}

// fail translates a driver error of operation op: no document is
// ErrMessageNotFound, the rest as translate does.
func (o *Outbox) fail(caller context.Context, op string, err error) error {
	if errors.Is(err, mongo.ErrNoDocuments) {
		return ports.ErrMessageNotFound
	}
	return translate(caller, "outbox: "+op, err)
}

// failWrite is fail for a write: one the server refused wraps ErrWriteRefused.
func (o *Outbox) failWrite(caller context.Context, op string, err error) error {
	if errors.Is(err, mongo.ErrNoDocuments) {
		return ports.ErrMessageNotFound
	}
	return translateWrite(caller, "outbox: "+op, err)
}
