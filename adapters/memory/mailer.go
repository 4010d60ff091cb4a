package memory

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/pwreset/pwreset/ports"
)

// Mailer keeps every message it is given, for tests that read the mail.
type Mailer struct {
	mu   sync.Mutex
	sent []ports.Message
}

// NewMailer returns an empty mailer.
func NewMailer() *Mailer { return &Mailer{} }

// Send implements ports.Mailer; the provider id is the message's position.
func (m *Mailer) Send(_ context.Context, msg ports.Message) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sent = append(m.sent, msg)
	return fmt.Sprintf("memory-%d", len(m.sent)), nil
}

// Sent returns the messages sent so far, oldest first.
func (m *Mailer) Sent() []ports.Message {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.sent)
}
