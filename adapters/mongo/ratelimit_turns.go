package mongo

import (
	"fmt"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/pwreset/pwreset/ports"
)

// The events of a key of limit 1 (a cooldown) settle races among themselves. Each
// comes after the one before it, the key's latest when it was allowed; so the
// right to record the next event is named "<key>:<time of the latest event>", or
// "<key>:none" for the first, and the event is recorded under that name as its
// _id: of hits that read the same latest event, one inserts
// it and the others fail. As a hit is allowed only once the latest event has left
// the window, each event is later than the one it is named after: the chain of
// names is the order of time, and Purge, which deletes the oldest, leaves the next
// name free. Times in names are Unix milliseconds, as MongoDB keeps them, so that
// a name read from an event and one written from its time agree; they hold no
// ':', so the part after the last ':' is the time and keys cannot collide.

// maxTurnSteps bounds how many taken names one call steps over: a name taken by
// an event out of the window, which only instances whose clocks disagree by more
// than the window can leave (each step is one read).
const maxTurnSteps = 32

// errTurnsAbandoned means a call met more names taken out of order than it steps
// over.
var errTurnsAbandoned = fmt.Errorf("too many rate-limit events out of order; check that the instances' clocks agree: %w", ports.ErrUnavailable)

// turnName names the turn after the latest event of key, if any.
func turnName(key string, latest time.Time, found bool) string {
	if !found {
		return key + ":none"
	}
	return key + ":" + millis(latest)
}

// millis writes t as the Unix milliseconds MongoDB stores it in.
func millis(t time.Time) string {
	return strconv.FormatInt(int64(bson.NewDateTimeFromTime(t)), 10)
}
