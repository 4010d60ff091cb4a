package sendgridtest

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/pwreset/pwreset/ports"
)

// APIKey is the only key the server accepts; any other gets 401, as from SendGrid.
const APIKey = "SG.sendgridtest.key"

// Forever, given to FailNext as n, keeps the server failing until FailNext(0, ...).
const Forever = -1

// Message is a message the server accepted.
type Message struct {
	// Message is what was sent. From and To read "Name <addr>" when a name was
	// given; Kind is the "kind" custom argument.
	ports.Message
	// ID is the X-Message-Id the server answered with.
	ID string
}

// APIError is one entry of the errors list in SendGrid's error answers.
type APIError struct {
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

// failure is the answer FailNext asked for.
type failure struct {
	left   int // requests still to fail; Forever for all of them
	status int
	header http.Header
	errs   []APIError
}

// FailNext makes the server answer the next n requests with status, the given
// headers (such as Retry-After) and a SendGrid error body listing errs, or one
// entry of the status text when errs is empty. n = Forever fails every request
// until FailNext(0, ...) clears it. Failed requests are counted by Attempts but
// record no message. A later call replaces an earlier one.
func (s *Server) FailNext(n, status int, header http.Header, errs ...APIError) {
	if len(errs) == 0 {
		errs = []APIError{{Message: strings.ToLower(http.StatusText(status))}}
	}
	f := failure{left: n, status: status, header: header.Clone(), errs: slices.Clone(errs)}
	if n == 0 {
		f = failure{}
	}
	s.mu.Lock()
	s.fail = f
	s.mu.Unlock()
}

// SetDelay makes the server wait d before it answers each request, to outlast a
// client's timeout. A request whose client gives up during the wait is dropped:
// it neither fails a FailNext count nor records a message.
func (s *Server) SetDelay(d time.Duration) {
	s.mu.Lock()
	s.delay = d
	s.mu.Unlock()
}

// SetCutAfterAccept makes the server, while cut is true, accept each message and
// then cut the connection after the answer's status line and headers, before its
// body: the client has SendGrid's verdict but not a whole answer.
func (s *Server) SetCutAfterAccept(cut bool) {
	s.mu.Lock()
	s.cut = cut
	s.mu.Unlock()
}

// Connections counts the TCP connections clients opened to the server.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conns
}

// Messages returns the messages accepted so far, oldest first.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.messages)
}

// Attempts returns how many requests reached the server, failed ones included.
func (s *Server) Attempts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.attempts
}

// takeFailure returns the failure the next request should get, if any, and counts
// it down.
func (s *Server) takeFailure() (failure, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.fail
	if f.left == 0 {
		return failure{}, false
	}
	if f.left > 0 {
		s.fail.left--
	}
	// f.header is shared with other answers: FailNext swaps in a new map rather than
	// changing this one, so readers need no copy.
	return f, true
}
