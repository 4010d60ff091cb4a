package smtp_test

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/pwreset/pwreset/adapters/smtp"
	"github.com/pwreset/pwreset/adapters/smtp/smtptest"
	"github.com/pwreset/pwreset/ports"
)

// pooled is a mailer of the given pool size for s, over STARTTLS.
func pooled(t testing.TB, s *smtptest.Server, size int) *smtp.Mailer {
	t.Helper()
	m, err := smtp.NewMailer(smtp.Config{URL: s.URL(), PoolSize: size, Timeout: time.Minute,
		TLSConfig: &tls.Config{RootCAs: s.RootCAs(), MinVersion: tls.VersionTLS12}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	return m
}

// to is sample addressed to the n-th recipient, so that each delivery can be told apart.
func to(n int) ports.Message {
	m := sample
	m.To = fmt.Sprintf("user%d@example.org", n)
	return m
}

// checkOnce asserts that the relay accepted exactly n messages, each recipient's once.
func checkOnce(t *testing.T, s *smtptest.Server, n int) {
	t.Helper()
	seen := map[string]int{}
	for _, m := range s.Messages() {
		seen[m.To[0]]++
	}
	for i := range n {
		if seen[to(i).To] != 1 {
			t.Errorf("%s got %d messages, want 1", to(i).To, seen[to(i).To])
		}
	}
	if got := len(s.Messages()); got != n {
		t.Errorf("the relay accepted %d messages, want %d", got, n)
	}
}

// TestConnectionReused (issue 21): messages sent one after another share one
// connection, with RSET between them; each arrives once.
func TestConnectionReused(t *testing.T) {
	s := smtptest.Start(t, smtptest.Options{User: "u", Password: "p"})
	m := pooled(t, s, 4)
	for i := range 10 {
		if _, err := m.Send(testCtx(t), to(i)); err != nil {
			t.Fatalf("Send %d: %v", i, err)
		}
	}
	checkOnce(t, s, 10)
	if n := s.Connections(); n != 1 {
		t.Errorf("10 messages one after another opened %d connections, want 1", n)
	}
}

// TestPoolBounded: sixteen concurrent senders over a pool of 2 open 2
// connections between them, and every message arrives once.
func TestPoolBounded(t *testing.T) {
	s := smtptest.Start(t, smtptest.Options{})
	m := pooled(t, s, 2)
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			if _, err := m.Send(testCtx(t), to(i)); err != nil {
				t.Errorf("Send %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	checkOnce(t, s, 16)
	if n := s.Connections(); n != 2 {
		t.Errorf("a pool of 2 opened %d connections, want 2", n)
	}
}

// TestReconnects: a relay that dropped the kept connection (idle timeout,
// restart) costs a new connection, not a failure, and nothing arrives twice.
func TestReconnects(t *testing.T) {
	s := smtptest.Start(t, smtptest.Options{})
	m := pooled(t, s, 1)
	for i := range 3 {
		if _, err := m.Send(testCtx(t), to(i)); err != nil {
			t.Fatalf("Send %d: %v", i, err)
		}
		s.DropConnections()
	}
	checkOnce(t, s, 3)
	if n, a := s.Connections(), s.Attempts(); n != 3 || a != 3 {
		t.Errorf("%d connections and %d attempts for 3 messages, each after a drop; want 3 and 3", n, a)
	}
}

// TestReconnectsAfterLongIdle: a kept connection that waited long enough to be
// checked with NOOP, and that the relay closed meanwhile, fails its check and
// costs a new connection, not a failure; each message arrives once. (Sooner,
// TestReconnects: no NOOP, and MAIL FROM fails instead.)
func TestReconnectsAfterLongIdle(t *testing.T) {
	s := smtptest.Start(t, smtptest.Options{})
	m := pooled(t, s, 1)
	for i := range 3 {
		if _, err := m.Send(testCtx(t), to(i)); err != nil {
			t.Fatalf("Send %d: %v", i, err)
		}
		m.Age(smtp.CheckAfter)
		if i > 0 {
			s.DropConnections()
		}
	}
	checkOnce(t, s, 3)
	if n, a := s.Connections(), s.Attempts(); n != 2 || a != 3 {
		t.Errorf("%d connections and %d attempts for 3 messages, the last after a drop; want 2 and 3", n, a)
	}
}

// TestRefusalKeepsConnection: a refused message leaves the connection in step
// (RSET answered), and the next message goes over it.
func TestRefusalKeepsConnection(t *testing.T) {
	s := smtptest.Start(t, smtptest.Options{})
	m := pooled(t, s, 1)
	s.Reply(550, "no such user here")
	if _, err := m.Send(testCtx(t), to(0)); err == nil {
		t.Fatal("a refused message was reported sent")
	}
	if _, err := m.Send(testCtx(t), to(1)); err != nil {
		t.Fatalf("Send after a refusal: %v", err)
	}
	if n := s.Connections(); n != 1 {
		t.Errorf("%d connections, want 1", n)
	}
}

// TestHangUpAfterAcceptReconnects: after a relay hung up on an accepted message,
// the next message goes over a new connection; each arrives once.
func TestHangUpAfterAcceptReconnects(t *testing.T) {
	s := smtptest.Start(t, smtptest.Options{})
	s.SetHangUp(true)
	m := pooled(t, s, 1)
	for i := range 2 {
		if _, err := m.Send(testCtx(t), to(i)); err != nil {
			t.Fatalf("Send %d: %v", i, err)
		}
	}
	checkOnce(t, s, 2)
	if n := s.Connections(); n != 2 {
		t.Errorf("%d connections, want 2", n)
	}
}

// TestBusyPoolWaitsOnlyTillDeadline: with the one connection held by a send the
// relay never answers, another send fails temporarily at its deadline instead of
// waiting, and opens no second connection.
func TestBusyPoolWaitsOnlyTillDeadline(t *testing.T) {
	s := smtptest.Start(t, smtptest.Options{})
	s.SetDelay(time.Hour) // until the test ends
	m := pooled(t, s, 1)
	holder, release := context.WithCancel(testCtx(t))
	go func() { _, _ = m.Send(holder, to(0)) }()
	<-s.Received() // the first send holds the connection
	ctx, cancel := context.WithTimeout(testCtx(t), 200*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := m.Send(ctx, to(1))
		done <- err
	}()
	select {
	case err := <-done:
		var se *ports.SendError
		if !errors.As(err, &se) || se.Permanent || se.Status != 0 {
			t.Errorf("Send: %#v; want a temporary failure without a status", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("Send still waits for a connection a minute after its 200ms deadline")
	}
	release()
	if n := s.Connections(); n != 1 {
		t.Errorf("%d connections opened by a pool of 1", n)
	}
}

// TestEndedContextSparesConnection: a send whose context has already ended fails
// at once, temporarily, without spending the kept connection.
func TestEndedContextSparesConnection(t *testing.T) {
	s := smtptest.Start(t, smtptest.Options{})
	m := pooled(t, s, 1)
	if _, err := m.Send(testCtx(t), to(0)); err != nil {
		t.Fatal(err)
	}
	ended, cancel := context.WithCancel(testCtx(t))
	cancel()
	var se *ports.SendError
	if _, err := m.Send(ended, to(1)); !errors.As(err, &se) || se.Permanent {
		t.Fatalf("Send with an ended context: %#v; want a temporary failure", err)
	}
	if _, err := m.Send(testCtx(t), to(2)); err != nil {
		t.Fatal(err)
	}
	if n, a := s.Connections(), s.Attempts(); n != 1 || a != 2 {
		t.Errorf("%d connections and %d attempts; want 1 and 2", n, a)
	}
}
