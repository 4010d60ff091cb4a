package outbox

import (
	"context"
	"log/slog"
	"strconv"
	"time"

	"github.com/pwreset/pwreset/ports"
)

// msgLog writes the dispatcher's lines about one message, its metadata first: the
// same lines Logger.With would, but the metadata is put together only when a line
// is written, and without the caller's program counter (see audit.Write). Logs
// show metadata only: the body holds the link, and the address is personal data.
type msgLog struct {
	log  *slog.Logger
	env  *ports.Envelope
	full bool // attempts and the recipient's domain too
}

// forMessage is the log of a delivery of env.
func (d *Dispatcher) forMessage(env *ports.Envelope) msgLog { return msgLog{d.log, env, true} }

// write logs msg at level with the message's metadata, then attrs.
func (m msgLog) write(ctx context.Context, level slog.Level, msg string, attrs ...slog.Attr) {
	if !m.log.Enabled(ctx, level) {
		return
	}
	r := slog.NewRecord(time.Now(), level, msg, 0)
	r.AddAttrs(slog.String("outbox_id", m.env.ID), slog.String("kind", m.env.Message.Kind))
	if m.full {
		r.AddAttrs(slog.Int("attempts", m.env.Attempts), slog.String("to_domain", domainOf(m.env.Message.To)))
	}
	r.AddAttrs(attrs...)
	_ = m.log.Handler().Handle(ctx, r) // a log line that cannot be written has nowhere to go
}

// leaseOwner names the n-th claim of the dispatcher owner: "<owner>/<n>".
func leaseOwner(owner string, n uint64) string {
	return owner + "/" + strconv.FormatUint(n, 10)
}
