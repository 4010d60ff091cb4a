package mongo

import (
	"fmt"
	"math"
	"strconv"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// idText writes the id field's value the way ports.User.ID carries it: an ObjectId
// as hex, an integer in decimal, a string as it is.
func idText(v bson.RawValue) (string, error) {
	switch v.Type {
	case bson.TypeObjectID:
		return v.ObjectID().Hex(), nil
	case bson.TypeString:
		return v.StringValue(), nil
	case bson.TypeInt32:
		return strconv.FormatInt(int64(v.Int32()), 10), nil
	case bson.TypeInt64:
		return strconv.FormatInt(v.Int64(), 10), nil
	case bson.TypeDouble:
		// The mongo shell and other JavaScript tools store integers as doubles.
		// Only integral values in int64's range have a decimal form FindByID can
		// turn back into a number that MongoDB finds equal.
		if f := v.Double(); f == math.Trunc(f) && math.Abs(f) < 1<<63 {
			return strconv.FormatInt(int64(f), 10), nil
		}
		return "", fmt.Errorf("id %v is not an integer", v.Double())
	case 0:
		return "", fmt.Errorf("the document has no id field")
	}
	return "", fmt.Errorf("id of BSON type %s is not supported (want ObjectId, integer or string)", v.Type)
}

// idCandidates lists every stored value that idText could have written as id.
// Only canonical forms count ("42" but not "042" or "+42"; lowercase hex only), so
// that each stored id answers to exactly one text. MongoDB compares numbers across
// int32, int64 and double, so one int64 finds all three.
func idCandidates(id string) bson.A {
	candidates := bson.A{id}
	if oid, err := bson.ObjectIDFromHex(id); err == nil && oid.Hex() == id {
		candidates = append(candidates, oid)
	}
	if n, err := strconv.ParseInt(id, 10, 64); err == nil && strconv.FormatInt(n, 10) == id {
		candidates = append(candidates, n)
	}
	return candidates
}
