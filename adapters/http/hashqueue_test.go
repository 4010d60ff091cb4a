package http_test

import (
	"context"
	"fmt"
	"strconv"
	"sync/atomic"
	"testing"

	pwhttp "github.com/pwreset/pwreset/adapters/http"
	"github.com/pwreset/pwreset/ports"
)

// queue is a pwhttp.HashQueue: busy, it refuses every request as the pool does after
// HASH_QUEUE_TIMEOUT; full, it holds every request until its context ends; otherwise
// it admits at once. It counts admissions and releases.
type queue struct {
	busy, full        bool
	entered           chan struct{}
	admitted, release atomic.Int32
}

func (q *queue) Admit(ctx context.Context) (func(), error) {
	switch {
	case q.busy:
		return nil, fmt.Errorf("waited 5s: %w", ports.ErrHasherBusy)
	case q.full:
		q.entered <- struct{}{}
		<-ctx.Done()
		return nil, fmt.Errorf("wait for a hashing slot: %w", ctx.Err())
	}
	q.admitted.Add(1)
	return func() { q.release.Add(1) }, nil
}

func queuedBy(q pwhttp.HashQueue) option {
	return func(s *setup) { s.http.HashQueue = q }
}

// TestResetsQueueForHashing: a reset is admitted to the hash queue before it runs
// and leaves it when done; bad input never queues.
func TestResetsQueueForHashing(t *testing.T) {
	q := &queue{}
	f := newFixture(t, queuedBy(q))
	l := f.requestLink("alice")
	expect(t, f.post(resetPath, `{}`), 400, `{"password":["This field is required."],"signature":["This field is required."],"timestamp":["This field is required."],"user_id":["This field is required."]}`)
	expect(t, f.post(resetPath, l.body(newPassword, nil)), 200, `{"detail":"Reset password successful"}`)
	if a, r := q.admitted.Load(), q.release.Load(); a != 1 || r != 1 {
		t.Errorf("%d admitted, %d released; want 1 and 1", a, r)
	}
}

// TestHashQueueTimeout: a reset that finds no hashing slot in time gets 503 with
// Retry-After, logged as a warning, and changes nothing.
func TestHashQueueTimeout(t *testing.T) {
	f := newFixture(t, queuedBy(&queue{busy: true}))
	l := f.requestLink("alice")
	rec := f.post(resetPath, l.body(newPassword, nil))
	expect(t, rec, 503, `{"detail":"Service temporarily unavailable."}`)
	if got := rec.Header().Get("Retry-After"); got != "5" {
		t.Errorf("Retry-After %q, want 5", got)
	}
	if f.hash("1") != hashOf(oldPassword) {
		t.Error("the password changed")
	}
	if !containsLine(f.logs.lines(t), "level", "WARN") {
		t.Errorf("no warning logged:\n%s", f.logs)
	}
}

// TestHangUpInHashQueue: a client that hangs up while its reset waits for a hashing
// slot takes the reset with it: 499, and the password is not hashed nor changed.
func TestHangUpInHashQueue(t *testing.T) {
	q := &queue{full: true, entered: make(chan struct{}, 1)}
	obs := &requests{}
	f := newFixture(t, queuedBy(q), withOperations(pwhttp.Operations{Observer: obs}))
	body := f.requestLink("alice").body(newPassword, nil)
	obs.take()
	hangUp(t, f, "POST "+resetPath+" HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "+
		strconv.Itoa(len(body))+"\r\n\r\n"+body, q.entered)
	if got := obs.take(); len(got) != 1 || got[0] != "POST "+resetPath+" 499" {
		t.Errorf("requests counted %v, want one 499", got)
	}
	if f.hash("1") != hashOf(oldPassword) {
		t.Error("the password changed")
	}
}
