package console_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pwreset/pwreset/adapters/console"
	"github.com/pwreset/pwreset/ports"
	"github.com/pwreset/pwreset/ports/contract"
)

// TestMailProviderContract runs the mail provider contract against the console
// mailer. It prints and never refuses, waits or breaks off, so only the accepted
// case applies; the others skip, saying so.
func TestMailProviderContract(t *testing.T) {
	contract.TestMailProvider(t, func(t *testing.T) contract.MailStandIn {
		s := &standIn{}
		s.m = console.NewMailer(&s.out)
		return s
	})
}

// standIn is the console mailer printing to a buffer, which it reads back.
type standIn struct {
	m   *console.Mailer
	out lockedBuilder
}

// lockedBuilder is a strings.Builder safe to read while the mailer writes.
type lockedBuilder struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuilder) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuilder) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func (s *standIn) Mailer() ports.Mailer { return s.m }

// Delivered reads the printed e-mails back: the To line and the text part.
func (s *standIn) Delivered() []ports.Message {
	var msgs []ports.Message
	for _, block := range strings.Split(s.out.String(), "----- end of e-mail ") {
		_, head, ok := strings.Cut(block, "\nTo: ")
		if !ok {
			continue
		}
		to, _, _ := strings.Cut(head, "\n")
		_, text, _ := strings.Cut(head, "----- text part -----\n")
		text, _, _ = strings.Cut(text, "----- HTML part -----\n")
		msgs = append(msgs, ports.Message{To: to, Text: text})
	}
	return msgs
}

func (s *standIn) Attempts() int { return len(s.Delivered()) }

// unsupported says why the console mailer has no part in a case.
func unsupported(why string) error {
	return fmt.Errorf("the console mailer %s: %w", why, errors.ErrUnsupported)
}

func (s *standIn) Refuse(bool, string) error {
	return unsupported("prints every message; nobody refuses it")
}
func (s *standIn) Throttle(time.Duration) error {
	return unsupported("prints every message; nobody asks it to wait")
}
func (s *standIn) Hang() error { return unsupported("writes to a local stream and waits on no one") }
func (s *standIn) FailAfterAccept() error {
	return unsupported("has no exchange to break: a printed message is delivered")
}
