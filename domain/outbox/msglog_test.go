package outbox

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"testing"

	"github.com/pwreset/pwreset/ports"
)

// TestMessageLinesAsWith: the dispatcher's lines about a message are those its
// logger With the message's metadata writes, at every level, with and without
// the attempts and the recipient's domain; a disabled level writes nothing.
func TestMessageLinesAsWith(t *testing.T) {
	env := ports.Envelope{ID: "0190abcd", Attempts: 2,
		Message: ports.Message{Kind: "reset_link", To: "Some One <some.one@example.org>"}}
	attrs := []slog.Attr{slog.String("provider_id", "<x@example.com>"), slog.Any("error", errors.New("451 later")),
		slog.String("retry_in", "1s")}
	for _, full := range []bool{true, false} {
		for _, level := range []slog.Level{slog.LevelDebug, slog.LevelInfo, slog.LevelWarn, slog.LevelError} {
			var got, want bytes.Buffer
			opts := &slog.HandlerOptions{Level: slog.LevelInfo, ReplaceAttr: dropTime}
			gotLog := slog.New(slog.NewJSONHandler(&got, opts)).With("component", "outbox")
			wantLog := slog.New(slog.NewJSONHandler(&want, opts)).With("component", "outbox")
			msgLog{gotLog, &env, full}.write(context.Background(), level, "mail sent", attrs...)
			with := wantLog.With("outbox_id", env.ID, "kind", env.Message.Kind)
			if full {
				with = with.With("attempts", env.Attempts, "to_domain", domainOf(env.Message.To))
			}
			with.Log(context.Background(), level, "mail sent", "provider_id", "<x@example.com>",
				"error", errors.New("451 later"), "retry_in", "1s")
			if got.String() != want.String() {
				t.Errorf("full %v, level %v:\n got  %q\n want %q", full, level, got.String(), want.String())
			}
		}
	}
}

func dropTime(_ []string, a slog.Attr) slog.Attr {
	if a.Key == slog.TimeKey {
		return slog.Attr{}
	}
	return a
}
