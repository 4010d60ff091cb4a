package mongo

import (
	"testing"
	"time"

	"github.com/pwreset/pwreset/ports"
)

// TestTickets: an event's tickets are the next free numbers of its epoch and the
// next, in the fields of their epochs' parity; callers in neighbouring epochs
// that read the same events name the same ticket of the later epoch.
func TestTickets(t *testing.T) {
	const w = time.Minute
	l := ports.Limit{Key: "k#1", Max: 2, Window: w}
	b := time.UnixMilli(1_000_000 * w.Milliseconds()) // the start of an even epoch
	read := func() *counter {
		c := newCounter(l)
		c.see(b.Add(-30*time.Second), tickets{Even: "k#1#60000#1000000#1", Odd: "k#1#60000#999999#2"})
		c.see(b.Add(-10*time.Second), tickets{Even: "other#60000#1000000#7", Odd: "k#1#60000#999999#x"})
		return c
	}
	before, after := read().claim(b.Add(-time.Millisecond)), read().claim(b)
	if want := (tickets{Even: "k#1#60000#1000000#2", Odd: "k#1#60000#999999#3"}); before != want {
		t.Errorf("tickets at the end of epoch 999999 = %+v; want %+v", before, want)
	}
	if want := (tickets{Even: "k#1#60000#1000000#2", Odd: "k#1#60000#1000001#1"}); after != want {
		t.Errorf("tickets at the start of epoch 1000000 = %+v; want %+v", after, want)
	}
	if before.Even != after.Even {
		t.Error("callers in neighbouring epochs do not collide on the later epoch's ticket")
	}
	c := read()
	if c.room(b.Add(-time.Millisecond)) || c.room(b.Add(30*time.Second-time.Millisecond)) || !c.room(b.Add(30*time.Second)) {
		t.Errorf("room: two events in the window; want none until the older leaves, 30s after b")
	}
	if got := c.retryAfter(b.Add(20 * time.Second)); got != 10*time.Second {
		t.Errorf("retryAfter = %s; want 10s, when the older event leaves", got)
	}
	if got := c.since(b.Add(time.Second)); !got.Equal(b.Add(-w)) {
		t.Errorf("since = %v; want the start of the previous epoch %v", got, b.Add(-w))
	}
	if got := c.keepUntil(b.Add(time.Second)); !got.Equal(b.Add(2*w + ticketSkew)) {
		t.Errorf("keepUntil = %v; want the end of the next epoch and the skew allowed", got)
	}
}

// TestTicketFields: a Reason names its field as it is, or by digest when it
// cannot; a Reason given twice is numbered.
func TestTicketFields(t *testing.T) {
	got := ticketFields([]ports.Limit{{Reason: "cooldown"}, {Reason: "daily cap"}, {Reason: "cooldown"}, {}})
	if got[0] != "cooldown" || got[2] != "cooldown_2" || len(got[1]) != 17 || got[1][0] != 'r' || got[3] == got[1] {
		t.Fatalf("ticketFields = %q", got)
	}
}
