package mongo

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pwreset/pwreset/ports"
)

// Exact limits by unique tickets.
//
// A limit of Max events of a key in any window W is kept exact with unique index
// entries, the one thing that refuses one of two racing inserts on MongoDB and
// FerretDB alike. Time is cut into epochs of length W. An event at t, in epoch e,
// is recorded with two tickets: the next free number of epoch e and that of epoch
// e+1, named "<key>#<W>#<epoch>#<number>". The tickets of even epochs go to one
// field and those of odd epochs to another, each with a unique index.
//
// Callers that read the same events compute the same tickets: if they are in the
// same epoch they collide on both, and if in neighbouring epochs e and e+1 on the
// ticket of e+1, which both put in the same field. So of such callers exactly one
// inserts; the others get a duplicate-key error, read again and decide again,
// now counting the winner's event. Callers two epochs apart are more than W apart
// and share no window. Whether there is room is counted from the events read:
// fewer than Max in (now-W, now]. The numbers are the highest read plus one, so
// an event deleted meanwhile leaves no number that could be taken twice.
//
// What a caller reads is bounded: the events since the start of epoch e-1, which
// hold every ticket of epochs e and e+1 and every event of the window, at most
// about 2*Max of them. Events whose tickets are of past epochs never matter
// again: keepUntil says from when they may be deleted.
//
// A limit that only records (ports.Limit.RecordsOnly: Max math.MaxInt32) reads
// nothing and takes no tickets: it never refuses, so there is nothing to decide
// and no race to lose, and 2*Max would be every event of its key (issue 21). Its
// event is recorded all the same, in the same one-document insert as the rest
// (MongoDB writes one document atomically: the message, all its events and all
// its tickets, or none), and counts toward a limit of the same key that counts.
// That limit stays exact: its numbers come from ticketed events only, so callers
// that race on it still compute the same tickets, whether or not a record-only
// event came between their reads; each record-only event is one that never
// refuses, which may take its place before or after theirs.

// ticketSkew is how far ahead of the others an instance's clock may be while
// its tickets still count: keepUntil keeps events that much longer.
const ticketSkew = time.Minute

// maxTicketRounds bounds how often one call reads again after losing a ticket.
// Each loss is another caller's event: of callers that read the same events one
// wins per round, so the last of n racing on a key (the hourly cap's, which all
// link requests share) takes n rounds, or Max+1 if fewer. The call's deadline
// ends a long run first; the bound only stops a call that could not otherwise end.
const maxTicketRounds = 1024

// tickets are the two tickets of one event, as stored.
type tickets struct {
	Even string `bson:"even"`
	Odd  string `bson:"odd"`
}

// counter is what a caller learns of one limit from the events it read.
type counter struct {
	ports.Limit
	times []time.Time     // of the key's events read
	top   map[int64]int64 // epoch: highest ticket number read
}

func newCounter(l ports.Limit) *counter {
	return &counter{Limit: l, top: map[int64]int64{}}
}

// ms is the window in milliseconds, the unit MongoDB keeps times in; 1 at least.
func (c *counter) ms() int64 {
	return max(1, c.Window.Milliseconds())
}

// epoch is the number of the epoch t falls in.
func (c *counter) epoch(t time.Time) int64 {
	return t.UnixMilli() / c.ms()
}

// since is where the events to read begin: the start of the epoch before now's.
func (c *counter) since(now time.Time) time.Time {
	return time.UnixMilli((c.epoch(now) - 1) * c.ms())
}

// keepUntil is when an event recorded at now stops mattering: its tickets' last
// epoch has ended, and it has left every window.
func (c *counter) keepUntil(now time.Time) time.Time {
	return time.UnixMilli((c.epoch(now) + 2) * c.ms()).Add(ticketSkew)
}

// prefix starts the tickets of c's key and window.
func (c *counter) prefix() string {
	return c.Key + "#" + strconv.FormatInt(c.ms(), 10) + "#"
}

// see takes in one event of c's key read at at, with the tickets stored with it.
func (c *counter) see(at time.Time, ts ...tickets) {
	c.times = append(c.times, at)
	p := c.prefix()
	for _, t := range ts {
		for _, name := range []string{t.Even, t.Odd} {
			rest, ok := strings.CutPrefix(name, p)
			if !ok {
				continue
			}
			e, n, ok := strings.Cut(rest, "#")
			epoch, err1 := strconv.ParseInt(e, 10, 64)
			num, err2 := strconv.ParseInt(n, 10, 64)
			if ok && err1 == nil && err2 == nil && num > c.top[epoch] {
				c.top[epoch] = num
			}
		}
	}
}

// inWindow returns the times read that lie in the window of now, (now-W, now],
// and later ones: only a clock set back records those, and they count, erring on
// the side of the limit.
func (c *counter) inWindow(now time.Time) []time.Time {
	from := now.Add(-c.Window)
	var in []time.Time
	for _, t := range c.times {
		if t.After(from) {
			in = append(in, t)
		}
	}
	return in
}

// room tells whether an event at now fits the limit; one that only records
// always fits, whatever events it was shown.
func (c *counter) room(now time.Time) bool {
	return c.RecordsOnly() || len(c.inWindow(now)) < c.Max
}

// retryAfter is how long until the window of a full limit has room: until the
// event whose leaving makes room leaves it.
func (c *counter) retryAfter(now time.Time) time.Duration {
	in := c.inWindow(now)
	if len(in) < c.Max {
		return 0
	}
	slices.SortFunc(in, time.Time.Compare)
	return in[len(in)-c.Max].Add(c.Window).Sub(now)
}

// claim returns the tickets of an event at now.
func (c *counter) claim(now time.Time) tickets {
	e := c.epoch(now)
	name := func(epoch int64) string {
		return c.prefix() + strconv.FormatInt(epoch, 10) + "#" + strconv.FormatInt(c.top[epoch]+1, 10)
	}
	if e%2 == 0 {
		return tickets{Even: name(e), Odd: name(e + 1)}
	}
	return tickets{Even: name(e + 1), Odd: name(e)}
}
