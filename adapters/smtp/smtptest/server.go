// Package smtptest is an in-process SMTP server for tests: it offers STARTTLS
// (with a certificate of its own, which CertFile and RootCAs let clients trust) or
// implicit TLS, optionally requires a user and password, keeps the messages it
// accepts, counts the connections it is opened, and answers each DATA as told:
// accept, defer (4xx) or reject (5xx), slowly, or hanging up afterwards.
// End-to-end tests of the binary use it as the mail relay.
package smtptest

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Message is a message the server accepted.
type Message struct {
	From string
	To   []string
	Data []byte // as received: headers and body
	TLS  bool   // whether it came over an encrypted connection
	User string // who authenticated, if anyone did
}

// Options say how a Server behaves. The zero value is a plain server with
// STARTTLS offered and no authentication.
type Options struct {
	// ImplicitTLS serves TLS from the first byte (smtps, port 465) instead of
	// offering STARTTLS.
	ImplicitTLS bool
	// NoTLS offers no STARTTLS at all.
	NoTLS bool
	// User and Password, when set, are required (AUTH PLAIN).
	User, Password string
}

// Server is a running SMTP server; it stops when the test ends.
type Server struct {
	srv      *smtp.Server
	addr     string
	certFile string
	roots    *x509.CertPool
	opts     Options

	mu       sync.Mutex
	msgs     []Message
	replies  []*smtp.SMTPError          // answers to the next DATA commands; nil accepts
	refuse   map[string]*smtp.SMTPError // answers to RCPT TO of these addresses
	down     bool
	hangUp   bool
	delay    time.Duration
	attempts int
	notify   chan struct{}
	conns    []net.Conn    // every connection clients opened
	stop     chan struct{} // closed when the test ends, to end SetDelay's waits
}

// Start runs a server on a free port of 127.0.0.1.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	cert, pemBytes, err := selfSigned()
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{opts: opts, roots: x509.NewCertPool(), notify: make(chan struct{}, 1), stop: make(chan struct{})}
	s.roots.AppendCertsFromPEM(pemBytes)
	s.certFile = filepath.Join(t.TempDir(), "smtptest-ca.pem")
	if err := os.WriteFile(s.certFile, pemBytes, 0o644); err != nil {
		t.Fatal(err)
	}
	s.srv = smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) { return &session{s: s, conn: c}, nil }))
	s.srv.Domain = "smtptest.localhost"
	// Clients that hang up without QUIT are no news in tests.
	s.srv.ErrorLog = log.New(io.Discard, "", 0)
	s.srv.AllowInsecureAuth = opts.NoTLS
	if !opts.NoTLS {
		s.srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	var ln net.Listener
	if opts.ImplicitTLS {
		ln, err = tls.Listen("tcp", "127.0.0.1:0", s.srv.TLSConfig)
	} else {
		ln, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		t.Fatal(err)
	}
	s.addr = ln.Addr().String()
	ln = &listener{Listener: ln, s: s}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = s.srv.Serve(ln)
	}()
	t.Cleanup(func() {
		close(s.stop)
		_ = s.srv.Close()
		// Close closes only the listeners Serve has registered: were the test over
		// before Serve began, Serve would then accept on ln for ever.
		_ = ln.Close()
		<-done
	})
	return s
}

// Addr is the server's host:port.
func (s *Server) Addr() string { return s.addr }

// URL is the SMTP_URL of the server: smtps:// with ImplicitTLS, else smtp://,
// with the user and password when they are required.
func (s *Server) URL() string {
	scheme, user := "smtp", ""
	if s.opts.ImplicitTLS {
		scheme = "smtps"
	}
	if s.opts.User != "" {
		user = s.opts.User + ":" + s.opts.Password + "@"
	}
	return fmt.Sprintf("%s://%s%s", scheme, user, s.addr)
}

// CertFile is a PEM file of the certificate the server presents (for 127.0.0.1),
// for a process to trust it (SSL_CERT_FILE).
func (s *Server) CertFile() string { return s.certFile }

// RootCAs holds the certificate the server presents, for a client's tls.Config.
func (s *Server) RootCAs() *x509.CertPool { return s.roots }

// Reply queues answers to the next DATA commands, one each, in order: a code of
// 400-599 refuses the message with that code and text; 250 accepts it. Once the
// queue is empty, messages are accepted.
func (s *Server) Reply(code int, text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var e *smtp.SMTPError
	if code >= 400 {
		e = &smtp.SMTPError{Code: code, EnhancedCode: smtp.EnhancedCode{code / 100, 0, 0}, Message: text}
	}
	s.replies = append(s.replies, e)
}

// RefuseRecipient makes the server answer RCPT TO:<addr> with code and text, a
// refusal before the message (whose DATA or BDAT it then refuses too).
func (s *Server) RefuseRecipient(addr string, code int, text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.refuse == nil {
		s.refuse = map[string]*smtp.SMTPError{}
	}
	s.refuse[addr] = &smtp.SMTPError{Code: code, EnhancedCode: smtp.EnhancedCode{code / 100, 1, 1}, Message: text}
}

// SetDown makes the server answer every DATA with 421 (service not available, a
// temporary failure) while down is true; queued Replies wait until it is up.
func (s *Server) SetDown(down bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.down = down
}

// SetHangUp makes the server, while hangUp is true, drop the connection once it
// has accepted a message and said so: the client's QUIT then fails.
func (s *Server) SetHangUp(hangUp bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hangUp = hangUp
}

// SetDelay makes the server wait d after reading each message before it answers
// (or until the test ends), so that a send is in flight for that long.
func (s *Server) SetDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delay = d
}

// Connections counts the connections clients opened.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}

// DropConnections closes every open connection without a word, as a relay does
// with connections idle too long or when it restarts.
func (s *Server) DropConnections() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.conns {
		_ = c.Close() // closing one already closed is harmless
	}
}

// Messages returns the messages accepted so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// Attempts counts the DATA commands received, refused ones included.
func (s *Server) Attempts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.attempts
}

// Received is signalled (without blocking) after each DATA command.
func (s *Server) Received() <-chan struct{} { return s.notify }

// listener keeps each connection it accepts for Connections and DropConnections.
// (go-smtp starts a second session on a connection after STARTTLS, so sessions
// are no count of connections.)
type listener struct {
	net.Listener
	s *Server
}

func (l *listener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.s.mu.Lock()
		l.s.conns = append(l.s.conns, c)
		l.s.mu.Unlock()
	}
	return c, err
}

// session is one SMTP connection's transaction.
type session struct {
	s        *Server
	conn     *smtp.Conn
	from     string
	to       []string
	user     string
	accepted bool // a message was accepted since the last Reset
}

var _ smtp.AuthSession = (*session)(nil)

func (ss *session) AuthMechanisms() []string {
	if ss.s.opts.User == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (ss *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != ss.s.opts.User || pass != ss.s.opts.Password {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "authentication failed"}
		}
		ss.user = user
		return nil
	}), nil
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if ss.s.opts.User != "" && ss.user == "" {
		return &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "authentication required"}
	}
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.s.mu.Lock()
	refusal := ss.s.refuse[to]
	ss.s.mu.Unlock()
	if refusal != nil {
		return refusal
	}
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	_, tlsOn := ss.conn.TLSConnectionState()
	s := ss.s
	s.mu.Lock()
	s.attempts++
	delay := s.delay
	s.mu.Unlock()
	select {
	case s.notify <- struct{}{}: // the attempt is under way
	default:
	}
	select {
	case <-time.After(delay):
	case <-s.stop:
		return errors.New("smtptest: stopped")
	}
	s.mu.Lock()
	var reply *smtp.SMTPError
	switch {
	case s.down:
		reply = &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 3, 2}, Message: "service not available"}
	case len(s.replies) > 0:
		reply, s.replies = s.replies[0], s.replies[1:]
	}
	if reply == nil {
		s.msgs = append(s.msgs, Message{From: ss.from, To: ss.to, Data: data, TLS: tlsOn, User: ss.user})
		ss.accepted = true
	}
	s.mu.Unlock()
	select {
	case s.notify <- struct{}{}:
	default:
	}
	if reply != nil {
		return reply
	}
	return nil
}

// Reset ends a transaction. go-smtp calls it after the answer to DATA is
// written, which makes it the moment to hang up on a client (SetHangUp); it holds
// the connection's lock then, so the network connection is closed directly.
func (ss *session) Reset() {
	ss.s.mu.Lock()
	hangUp := ss.s.hangUp && ss.accepted
	ss.s.mu.Unlock()
	if hangUp {
		_ = ss.conn.Conn().Close()
	}
	ss.from, ss.to, ss.accepted = "", nil, false
}

func (ss *session) Logout() error { return nil }

var errNoCert = errors.New("smtptest: cannot make a certificate")
