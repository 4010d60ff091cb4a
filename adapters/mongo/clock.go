package mongo

import (
	"context"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
)

// clockRefresh is how often serverClock reads the server's time again. Between
// two reads it counts on the local monotonic clock, which drifts by microseconds
// a minute and ignores changes of the local wall clock.
const clockRefresh = time.Minute

// serverClock tells the time by the MongoDB server's clock, so that instances
// whose own clocks disagree still agree on when a lease expires or a held
// message falls due. It reads the server's time from the hello command's
// localTime (a command every server has, FerretDB too, unlike $$NOW in an
// update) once per clockRefresh, taking the middle of the round trip as the
// moment it was read; so it is off by half a round trip at most, plus the
// drift since. Where a store stands in for a server without a clock of its own
// (tests that pass their own times), fixed is set and the caller's now is used.
type serverClock struct {
	db    *mongo.Database
	fixed bool

	mu     sync.Mutex
	server time.Time // the server's time at local
	local  time.Time // with its monotonic reading
}

// now returns the server's time, reading it first when the last reading is
// older than clockRefresh; callerNow when the clock is fixed.
func (c *serverClock) now(ctx context.Context, callerNow time.Time) (time.Time, error) {
	if c.fixed {
		return callerNow, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.local.IsZero() || time.Since(c.local) > clockRefresh {
		if err := c.read(ctx); err != nil {
			return time.Time{}, err
		}
	}
	return c.server.Add(time.Since(c.local)), nil
}

// read reads the server's time.
func (c *serverClock) read(ctx context.Context) error {
	var hello struct {
		LocalTime time.Time `bson:"localTime"`
	}
	sent := time.Now()
	if err := c.db.RunCommand(ctx, map[string]int{"hello": 1}).Decode(&hello); err != nil {
		return err
	}
	got := time.Now()
	if hello.LocalTime.IsZero() {
		hello.LocalTime = got // a server that does not tell its time: ours, as before
	}
	c.server, c.local = hello.LocalTime, sent.Add(got.Sub(sent)/2)
	return nil
}
