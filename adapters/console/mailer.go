// Package console holds a mailer that prints each e-mail instead of sending it, for
// demo mode and local development.
package console

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sync"
	"sync/atomic"

	"github.com/pwreset/pwreset/ports"
)

// Mailer writes every message to an io.Writer (standard output in demo mode). It is
// the delivery channel there, not a log: the link it prints is the point.
type Mailer struct {
	mu  sync.Mutex
	out io.Writer
	n   atomic.Int64
}

// NewMailer returns a mailer that prints to out.
func NewMailer(out io.Writer) *Mailer { return &Mailer{out: out} }

// Send implements ports.Mailer: it prints the headers, the text part and, if there
// is one, the HTML part, each under a line that names it. A failed print is a
// temporary *ports.SendError.
func (m *Mailer) Send(_ context.Context, msg ports.Message) (string, error) {
	id := fmt.Sprintf("console-%d", m.n.Add(1))
	var b bytes.Buffer
	fmt.Fprintf(&b, "----- e-mail %s (console mailer: printed, not sent) -----\nFrom: %s\nTo: %s\n", id, msg.From, msg.To)
	if msg.ReplyTo != "" {
		fmt.Fprintf(&b, "Reply-To: %s\n", msg.ReplyTo)
	}
	fmt.Fprintf(&b, "Subject: %s\n", msg.Subject)
	fmt.Fprintf(&b, "----- text part -----\n%s\n", msg.Text)
	if msg.HTML != "" {
		fmt.Fprintf(&b, "----- HTML part -----\n%s\n", msg.HTML)
	}
	fmt.Fprintf(&b, "----- end of e-mail %s -----\n", id)
	m.mu.Lock() // one message at a time, so that two never interleave
	defer m.mu.Unlock()
	if _, err := m.out.Write(b.Bytes()); err != nil {
		// A writer's error may quote what it was given: the link and the address.
		return "", &ports.SendError{Reason: ports.ScrubReason("print e-mail: " + err.Error())}
	}
	return id, nil
}
