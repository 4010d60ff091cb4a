package mongo

import (
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/pwreset/pwreset/ports"
)

// keepBody gives doc, a suppressed message's document, the whole of msg, subject
// and bodies included, as a pending message's has (ports.LimitedMessage.KeepBody):
// the same write whether the message goes out or not.
func keepBody(doc bson.D, msg ports.Message) bson.D {
	for i := range doc {
		if doc[i].Key == "message" {
			doc[i].Value = toMessageDoc(msg)
		}
	}
	return doc
}
