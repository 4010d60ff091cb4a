// Package hibptest runs a stand-in for Have I Been Pwned's Pwned Passwords range API
// on a local port, for tests of adapters/hibp and of anything that checks passwords
// through it.
//
// The server answers GET /range/{prefix} from the passwords added to it, pads the
// answer with zero-count lines when asked to (Add-Padding: true), and records every
// request it gets, so that a test can check what left the process. A test can make
// it answer something else (Override) or answer slowly (SetDelay). All methods are
// safe to call from any goroutine while requests are in flight.
package hibptest

import (
	"crypto/sha1"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// Request is one request as the server got it.
type Request struct {
	Method string
	// URL is the request target as sent: path and query.
	URL    string
	Header http.Header
	Body   []byte
}

// Server is a fake Pwned Passwords API.
type Server struct {
	srv  *httptest.Server
	stop chan struct{} // closed at the end of the test, to end delayed answers

	mu       sync.Mutex
	counts   map[string]int // full uppercase hash → count
	requests []Request
	status   int // Override's answer; 0 for normal answers
	body     string
	delay    time.Duration
}

// New starts a server on a free local port and stops it when the test ends.
func New(t testing.TB) *Server {
	t.Helper()
	s := &Server{stop: make(chan struct{}), counts: map[string]int{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.handle))
	t.Cleanup(func() {
		close(s.stop)
		s.srv.Close()
	})
	return s
}

// URL is the base URL to give the checker (hibp.Config.BaseURL).
func (s *Server) URL() string { return s.srv.URL }

// Hash returns the uppercase hex SHA-1 of password, as the API lists it.
func Hash(password string) string {
	sum := sha1.Sum([]byte(password))
	return strings.ToUpper(hex.EncodeToString(sum[:]))
}

// Add lists password as seen count times. A count of 0 lists it the way padding
// lines are listed, which must not count as breached.
func (s *Server) Add(password string, count int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counts[Hash(password)] = count
}

// Override makes every following request get status and body as they are, whatever
// it asks for; a status of 0 returns to normal answers.
func (s *Server) Override(status int, body string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.status, s.body = status, body
}

// SetDelay makes every following answer wait d, or until the client gives up.
func (s *Server) SetDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delay = d
}

// Requests returns a copy of every request received so far, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.requests))
	for i, r := range s.requests {
		out[i] = Request{Method: r.Method, URL: r.URL, Header: r.Header.Clone(),
			Body: append([]byte(nil), r.Body...)}
	}
	return out
}

// handle records the request, then waits, then answers: the override if one is
// set, else the range the request asks for.
func (s *Server) handle(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	s.mu.Lock()
	s.requests = append(s.requests, Request{Method: r.Method, URL: r.RequestURI,
		Header: r.Header.Clone(), Body: body})
	status, override, delay := s.status, s.body, s.delay
	s.mu.Unlock()

	if delay > 0 && !s.wait(r, delay) {
		// Returning would send an empty 200; aborting cuts the connection unanswered.
		panic(http.ErrAbortHandler)
	}
	if status != 0 {
		w.WriteHeader(status)
		_, _ = io.WriteString(w, override)
		return
	}
	s.answerRange(w, r)
}

// wait sleeps for d and reports whether the request should still be answered: not
// when its client gave up or the test ended meanwhile.
func (s *Server) wait(r *http.Request, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	case <-s.stop:
		return false
	}
}
