// Package webhooktest is a local receiver of pwreset's events for tests: it
// checks each delivery's signature with the Standard Webhooks library, drops
// duplicates by webhook-id as a receiver should, and answers as a test scripts
// it (5xx, 429 with Retry-After, hanging past the sender's timeout), or goes
// down and comes back on the same address.
package webhooktest

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

// Answer is how the receiver answers one delivery.
type Answer struct {
	// Status is the answer's status; zero means 204 (taken).
	Status int
	// RetryAfter is the Retry-After header of the answer, if any.
	RetryAfter string
	// Hang holds the request unanswered until the sender gives up (or the
	// receiver closes): a slow endpoint.
	Hang bool
	// Lost takes the event, then holds the answer until the sender gives up: an
	// event that arrived, whose answer was lost. The sender sends it again.
	Lost bool
}

// Request is one delivery as it arrived.
type Request struct {
	ID     string    // its webhook-id
	At     time.Time // when it arrived
	Answer Answer    // how it was answered (Status 401: a bad signature)
}

// Event is one event the receiver took, first delivery only.
type Event struct {
	ID        string
	Type      string    `json:"type"`
	Timestamp time.Time `json:"timestamp"`
	Data      struct {
		UserID string `json:"user_id"`
	} `json:"data"`
	// Body is the JSON as delivered.
	Body []byte
}

// Receiver is a local events endpoint.
type Receiver struct {
	// URL is where it listens (EVENTS_URL).
	URL string
	// Secret is its signing secret (EVENTS_SECRET).
	Secret string

	verifier *standardwebhooks.Webhook
	addr     string
	mu       sync.Mutex
	srv      *http.Server
	script   []Answer
	events   []Event
	seen     map[string]bool
	log      []Request // deliveries that arrived, duplicates and refused ones included
	dups     int       // deliveries of an id already taken
	invalid  int       // deliveries whose signature did not verify
	changed  chan struct{}
	closed   chan struct{}
}

// Start starts a receiver with a fresh secret, closed when the test ends.
func Start(t testing.TB) *Receiver {
	t.Helper()
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	secret := "whsec_" + base64.StdEncoding.EncodeToString(key)
	verifier, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		t.Fatalf("webhooktest: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("webhooktest: listen: %v", err)
	}
	r := &Receiver{Secret: secret, verifier: verifier, addr: ln.Addr().String(), seen: map[string]bool{},
		changed: make(chan struct{}), closed: make(chan struct{})}
	r.URL = "http://" + r.addr + "/hooks/pwreset"
	r.serve(ln)
	t.Cleanup(r.close)
	return r
}

// Script sets how the next deliveries are answered, one Answer each; once they
// are used up, every delivery is taken (204).
func (r *Receiver) Script(answers ...Answer) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.script = append(r.script[:0], answers...)
}

// Down closes the receiver's listener and connections: deliveries find nothing
// listening until Up.
func (r *Receiver) Down() {
	r.mu.Lock()
	srv := r.srv
	r.srv = nil
	r.mu.Unlock()
	if srv != nil {
		_ = srv.Close()
	}
}

// Up listens again on the same address.
func (r *Receiver) Up(t testing.TB) {
	t.Helper()
	ln, err := net.Listen("tcp", r.addr)
	if err != nil {
		t.Fatalf("webhooktest: listen again on %s: %v", r.addr, err)
	}
	r.serve(ln)
}

func (r *Receiver) serve(ln net.Listener) {
	srv := &http.Server{Handler: http.HandlerFunc(r.handle), ReadHeaderTimeout: 10 * time.Second}
	r.mu.Lock()
	r.srv = srv
	r.mu.Unlock()
	go func() { _ = srv.Serve(ln) }()
}

func (r *Receiver) close() {
	r.Down()
	r.mu.Lock()
	defer r.mu.Unlock()
	select {
	case <-r.closed:
	default:
		close(r.closed)
	}
}

// handle verifies a delivery, answers it as scripted, and keeps its event if it
// was taken and is new.
func (r *Receiver) handle(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(io.LimitReader(req.Body, 1<<20))
	if err != nil {
		return
	}
	answer, ok := r.next(body, req.Header)
	switch {
	case !ok:
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	case answer.Hang, answer.Lost:
		if answer.Lost {
			r.take(req.Header.Get(standardwebhooks.HeaderWebhookID), body)
		}
		select {
		case <-req.Context().Done():
		case <-r.closed:
		}
		return
	case answer.Status != 0:
		if answer.RetryAfter != "" {
			w.Header().Set("Retry-After", answer.RetryAfter)
		}
		w.WriteHeader(answer.Status)
		return
	}
	r.take(req.Header.Get(standardwebhooks.HeaderWebhookID), body)
	w.WriteHeader(http.StatusNoContent)
}

// next counts a delivery, checks its signature, and returns the answer due.
func (r *Receiver) next(body []byte, h http.Header) (Answer, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	defer r.notify()
	req := Request{ID: h.Get(standardwebhooks.HeaderWebhookID), At: time.Now()}
	if err := r.verifier.Verify(body, h); err != nil {
		r.invalid++
		req.Answer.Status = http.StatusUnauthorized
		r.log = append(r.log, req)
		return req.Answer, false
	}
	if len(r.script) > 0 {
		req.Answer = r.script[0]
		r.script = r.script[1:]
	}
	r.log = append(r.log, req)
	return req.Answer, true
}

// take keeps the event of a delivery, unless its id was taken before.
func (r *Receiver) take(id string, body []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	defer r.notify()
	if r.seen[id] {
		r.dups++
		return
	}
	var ev Event
	if err := json.Unmarshal(body, &ev); err != nil {
		ev = Event{} // kept all the same, so that a test sees the body it got
	}
	ev.ID, ev.Body = id, body
	r.seen[id] = true
	r.events = append(r.events, ev)
}

// notify wakes the waiters; r.mu is held.
func (r *Receiver) notify() {
	close(r.changed)
	r.changed = make(chan struct{})
}

// Stats are the receiver's counts.
type Stats struct {
	Requests   int // deliveries that arrived
	Duplicates int // deliveries of an id taken before, dropped
	Invalid    int // deliveries whose signature did not verify, refused
}

// Stats returns the receiver's counts.
func (r *Receiver) Stats() Stats {
	r.mu.Lock()
	defer r.mu.Unlock()
	return Stats{Requests: len(r.log), Duplicates: r.dups, Invalid: r.invalid}
}

// Requests returns every delivery that arrived, in order.
func (r *Receiver) Requests() []Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Request(nil), r.log...)
}

// Events returns the events taken so far, each once, in the order they came.
func (r *Receiver) Events() []Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Event(nil), r.events...)
}

// Await waits until the receiver has taken n events or timeout passes, and
// returns those it has.
func (r *Receiver) Await(n int, timeout time.Duration) ([]Event, error) {
	deadline := time.After(timeout)
	for {
		r.mu.Lock()
		got, changed := append([]Event(nil), r.events...), r.changed
		r.mu.Unlock()
		if len(got) >= n {
			return got, nil
		}
		select {
		case <-changed:
		case <-deadline:
			return got, errors.New("webhooktest: fewer events than awaited arrived in time")
		}
	}
}

// AwaitRequests waits until n deliveries have arrived or timeout passes.
func (r *Receiver) AwaitRequests(n int, timeout time.Duration) error {
	deadline := time.After(timeout)
	for {
		r.mu.Lock()
		got, changed := len(r.log), r.changed
		r.mu.Unlock()
		if got >= n {
			return nil
		}
		select {
		case <-changed:
		case <-deadline:
			return errors.New("webhooktest: fewer deliveries than awaited arrived in time")
		}
	}
}
