// Package console holds a mailer that prints each e-mail instead of sending it, for
// demo mode and local development.
package console

import (
	"context"
	"io"
	"strconv"
	"sync"

	"github.com/pwreset/pwreset/ports"
)

// maxKept is the largest print buffer kept for the next message: one bigger
// message does not keep its memory for good.
const maxKept = 64 << 10

// Mailer writes every message to an io.Writer (standard output in demo mode). It is
// the delivery channel there, not a log: the link it prints is the point.
type Mailer struct {
	mu  sync.Mutex // one message at a time, so that two never interleave
	out io.Writer
	n   int64
	buf []byte // the message being printed, reused
}

// NewMailer returns a mailer that prints to out.
func NewMailer(out io.Writer) *Mailer { return &Mailer{out: out} }

// Send implements ports.Mailer: it prints the headers, the text part and, if there
// is one, the HTML part, each under a line that names it. A failed print is a
// temporary *ports.SendError.
func (m *Mailer) Send(_ context.Context, msg ports.Message) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.n++
	b := appendMessage(m.buf[:0], m.n, msg)
	_, err := m.out.Write(b)
	clear(b) // the link and the address: keep no copy
	if cap(b) <= maxKept {
		m.buf = b
	}
	if err != nil {
		// A writer's error may quote what it was given: the link and the address.
		return "", &ports.SendError{Reason: ports.ScrubReason("print e-mail: " + err.Error())}
	}
	return "console-" + strconv.FormatInt(m.n, 10), nil
}

// appendMessage appends the print of msg, the n-th, to b.
func appendMessage(b []byte, n int64, msg ports.Message) []byte {
	b = append(b, "----- e-mail console-"...)
	b = strconv.AppendInt(b, n, 10)
	b = append(b, " (console mailer: printed, not sent) -----\nFrom: "...)
	b = append(b, msg.From...)
	b = append(b, "\nTo: "...)
	b = append(b, msg.To...)
	if msg.ReplyTo != "" {
		b = append(b, "\nReply-To: "...)
		b = append(b, msg.ReplyTo...)
	}
	b = append(b, "\nSubject: "...)
	b = append(b, msg.Subject...)
	b = append(b, "\n----- text part -----\n"...)
	b = append(b, msg.Text...)
	if msg.HTML != "" {
		b = append(b, "\n----- HTML part -----\n"...)
		b = append(b, msg.HTML...)
	}
	b = append(b, "\n----- end of e-mail console-"...)
	b = strconv.AppendInt(b, n, 10)
	return append(b, " -----\n"...)
}
