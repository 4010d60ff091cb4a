package mongo

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"slices"
	"strconv"
	"sync"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/pwreset/pwreset/ports"
)

// ticketIndexes creates, once per process, the unique indexes of the ticket
// fields of one collection (see tickets.go): {tickets.<field>.even: 1} and
// {tickets.<field>.odd: 1}, sparse, as documents without such tickets are many.
type ticketIndexes struct {
	coll *mongo.Collection
	done sync.Map // field name -> true once its indexes exist
}

// ensure creates the indexes of fields not created yet. Creating an index that
// exists changes nothing, so that processes may race to create them.
func (x *ticketIndexes) ensure(opCtx context.Context, fields []string) error {
	for _, f := range fields {
		if _, ok := x.done.Load(f); ok {
			continue
		}
		// One command each: FerretDB v1 drops the connection when one
		// createIndexes names several indexes that exist.
		for _, half := range []string{".even", ".odd"} {
			_, err := x.coll.Indexes().CreateOne(opCtx, mongo.IndexModel{Keys: bson.D{{Key: "tickets." + f + half, Value: 1}},
				Options: options.Index().SetUnique(true).SetSparse(true)})
			if err != nil {
				return err
			}
		}
		x.done.Store(f, true)
	}
	return nil
}

// plainName is a Reason that can name a field as it is.
var plainName = regexp.MustCompile(`^[A-Za-z0-9_]{1,64}$`)

// ticketFields names the field of tickets of each limit after its Reason, so
// that a key, always limited for the same reason, has its tickets in the same
// fields in every request (the unique indexes are per field). A Reason that
// cannot name a field is named by its digest; a Reason given twice in one
// request numbers its later limits.
func ticketFields(limits []ports.Limit) []string {
	fields := make([]string, len(limits))
	for i, l := range limits {
		name := l.Reason
		if !plainName.MatchString(name) {
			sum := sha256.Sum256([]byte(name))
			name = "r" + hex.EncodeToString(sum[:8])
		}
		base := name
		for n := 2; slices.Contains(fields[:i], name); n++ {
			name = base + "_" + strconv.Itoa(n)
		}
		fields[i] = name
	}
	return fields
}
