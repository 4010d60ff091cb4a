package mongo

import (
	"context"
	"crypto/sha256"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/pwreset/pwreset/ports"
)

// sharedID is the id of the one record that the messages to nobody (unknown
// logins, users without an address) which a limit refused with reason share: a
// digest of the reason, the same in every process.
func sharedID(reason string) bson.ObjectID {
	sum := sha256.Sum256([]byte("pwreset.outbox.nobody:" + reason))
	var id bson.ObjectID
	copy(id[:], sum[:len(id)])
	return id
}

// addShared stores m, a message to nobody that limit refused refused, over the
// record its reason shares (issue 18 item 9): it counts no event, so nothing is
// lost by overwriting, and a stream of unknown logins over their limits keeps one
// document per reason, not one per request. It is one write, of the size of an
// insert (the whole document).
func (o *Outbox) addShared(ctx, opCtx context.Context, m ports.LimitedMessage, refused int, now time.Time) (string, int, error) {
	id := sharedID(m.Limits[refused].Reason)
	doc := limitedDoc(id, m, now, nil, nil, refused)
	filter := bson.D{{Key: "_id", Value: id}}
	_, err := o.msgs.ReplaceOne(opCtx, filter, doc, options.Replace().SetUpsert(true))
	if mongo.IsDuplicateKeyError(err) {
		// A racing caller's upsert inserted it first (FerretDB's are not atomic).
		_, err = o.msgs.ReplaceOne(opCtx, filter, doc)
	}
	if err != nil {
		return "", 0, o.failWrite(ctx, fmt.Sprintf("store a refused message in the record of %q", m.Limits[refused].Reason), err)
	}
	return id.Hex(), refused, nil
}
