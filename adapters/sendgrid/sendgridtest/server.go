// Package sendgridtest runs a stand-in for SendGrid's v3 Mail Send API on a local
// port, for tests of anything that sends mail through adapters/sendgrid.
//
// The server checks requests the way SendGrid does (method, path, API key, JSON body)
// and keeps each message it accepts. A test can make it refuse the next requests
// (FailNext), answer slowly (SetDelay), cut its answers short (SetCutAfterAccept)
// or go away entirely (SetDown), and count the connections clients open. All methods are
// safe to call from any goroutine while requests are in flight.
package sendgridtest

import (
	"io"
	"log"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"
)

// Server is a fake SendGrid. Its address stays the same across SetDown, so a mailer
// configured once with URL keeps working when the server comes back.
type Server struct {
	t      testing.TB
	addr   string     // host:port, fixed at New
	toggle sync.Mutex // serialises SetDown, so two calls never race to listen

	mu       sync.Mutex
	srv      *http.Server  // nil while down
	stop     chan struct{} // closed when srv goes down, to end delayed answers
	closed   bool
	messages []Message
	attempts int
	fail     failure
	delay    time.Duration
	cut      bool // SetCutAfterAccept
	conns    int  // connections opened

	running sync.WaitGroup // Serve loops and handlers, awaited by Close
}

// New starts a server on a free local port and stops it when the test ends.
func New(t testing.TB) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("sendgridtest: listen: %v", err)
	}
	s := &Server{t: t, addr: ln.Addr().String()}
	s.serve(ln)
	t.Cleanup(s.Close)
	return s
}

// URL is the base URL to give the mailer (sendgrid.Config.BaseURL).
func (s *Server) URL() string { return "http://" + s.addr }

// SetDown takes the server off the network (true) or brings it back (false).
//
// Down is connection-level: the listener is closed, open connections are cut and
// requests waiting on SetDelay are dropped unanswered, so clients see a refused
// or reset connection, as when SendGrid is unreachable. Coming back listens again
// on the same address; it fails the test if that address has been taken meanwhile,
// so call it from the test's goroutine. Recorded messages and FailNext survive.
func (s *Server) SetDown(down bool) {
	s.toggle.Lock()
	defer s.toggle.Unlock()
	if down {
		s.shutdown()
		return
	}
	s.mu.Lock()
	up := s.srv != nil || s.closed
	s.mu.Unlock()
	if up {
		return
	}
	s.serve(s.listenAgain())
}

// Close stops the server for good and waits for its goroutines. New arranges for
// it to run at the end of the test; calling it earlier is harmless.
func (s *Server) Close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.shutdown()
	s.running.Wait()
}

// serve answers on ln until shutdown.
func (s *Server) serve(ln net.Listener) {
	// Each life of the server has its own stop channel, so that a handler left over
	// from a previous one is not kept waiting by the next.
	stop := make(chan struct{})
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s.handle(w, r, stop)
		}),
		// Cut connections are the point of SetDown; they are not worth a log line.
		ErrorLog: log.New(io.Discard, "", 0),
		ConnState: func(_ net.Conn, state http.ConnState) {
			if state == http.StateNew {
				s.mu.Lock()
				s.conns++
				s.mu.Unlock()
			}
		},
	}
	s.mu.Lock()
	if s.closed || s.srv != nil {
		s.mu.Unlock()
		ln.Close()
		return
	}
	s.srv, s.stop = srv, stop
	s.running.Add(1)
	s.mu.Unlock()
	go func() {
		defer s.running.Done()
		_ = srv.Serve(ln) // always ErrServerClosed or a listener error after Close
	}()
}

// shutdown closes the listener and every connection, and releases delayed handlers.
func (s *Server) shutdown() {
	s.mu.Lock()
	srv, stop := s.srv, s.stop
	s.srv, s.stop = nil, nil
	s.mu.Unlock()
	if srv == nil {
		return
	}
	// Connections first, so that no handler released by stop can still answer.
	_ = srv.Close()
	close(stop)
}

// listenAgain binds the server's address anew. The port was ours a moment ago;
// retrying briefly rides out the kernel still tearing the old listener down.
func (s *Server) listenAgain() net.Listener {
	var err error
	for range 50 {
		var ln net.Listener
		if ln, err = net.Listen("tcp", s.addr); err == nil {
			return ln
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.t.Fatalf("sendgridtest: listen again on %s: %v", s.addr, err)
	return nil
}
