// Package console holds a mailer that prints each e-mail instead of sending it, for
// demo mode and local development.
package console

import (
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

// Send implements ports.Mailer.
func (m *Mailer) Send(_ context.Context, msg ports.Message) (string, error) {
	id := fmt.Sprintf("console-%d", m.n.Add(1))
	m.mu.Lock() // one message at a time, so that two never interleave
	defer m.mu.Unlock()
	_, err := fmt.Fprintf(m.out, "----- e-mail %s (console mailer: printed, not sent) -----\nFrom: %s\nTo: %s\nSubject: %s\n\n%s\n----- end of e-mail %s -----\n",
		id, msg.From, msg.To, msg.Subject, msg.Text, id)
	if err != nil {
		return "", fmt.Errorf("print e-mail: %w", err)
	}
	return id, nil
}
