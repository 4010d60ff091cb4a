package app_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/pwreset/pwreset/adapters/memory"
	"github.com/pwreset/pwreset/app"
	"github.com/pwreset/pwreset/domain/audit"
	"github.com/pwreset/pwreset/domain/link"
	"github.com/pwreset/pwreset/domain/outbox"
	"github.com/pwreset/pwreset/domain/policy"
	"github.com/pwreset/pwreset/domain/reset"
	"github.com/pwreset/pwreset/ports"
	"github.com/pwreset/pwreset/ports/portstest"
)

// TestRetryRequeuesNotices is issue 17's finding 3: `pwreset outbox retry` used to
// refuse a failed password-changed notice, which was then lost for good. A failed
// notice is requeued to the user, telling when the password changed; the failed
// record goes, as for a link.
func TestRetryRequeuesNotices(t *testing.T) {
	ctx := context.Background()
	changed := time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC)
	clock := portstest.NewClock(changed.Add(3 * time.Hour))
	box := memory.NewOutbox()
	dora := ports.User{ID: "7", Email: "dora@example.com", PasswordHash: "h",
		Logins: []ports.Field{{Name: "username", Value: "dora"}}}
	users := memory.NewUserStore([]string{"username"}, dora)
	cfg := reset.Config{Enabled: true, Period: 24 * time.Hour, URL: "https://frontend.example/reset/",
		From: "noreply@example.com", ChangedNotification: true}
	signer := link.NewSigner([]byte("0123456789abcdef0123456789abcdef"), false)
	queue := outbox.NewQueue(box, nil)
	sender := reset.NewLinkSender(reset.LinkSenderDeps{Config: cfg, Users: users, Outbox: queue, Signer: signer,
		Clock: clock, Emails: reset.DefaultEmails(), Audit: audit.New(nil)})
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	resetter := reset.NewResetter(reset.ResetterDeps{Config: cfg, Users: users, Signer: signer, Clock: clock,
		Policy: policy.New(8), Outbox: queue, Emails: reset.DefaultEmails(), Audit: audit.New(log), Log: log})

	// The notice as the reset held it (stored dated when it falls due), failed.
	notice := ports.Message{Kind: reset.KindPasswordChanged, UserID: dora.ID, From: cfg.From, To: dora.Email}
	held := changed.Add(reset.DefaultStoreTimeout + 10*time.Second)
	id, err := box.Add(ctx, notice, held)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := box.Claim(ctx, "w", held, time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := box.MarkFailed(ctx, id, "w", "401 the API key was revoked", held); err != nil {
		t.Fatal(err)
	}

	var out bytes.Buffer
	tool := app.NewOutboxTool(box, sender, resetter, clock)
	if err := tool.Retry(ctx, &out, nil); err != nil {
		t.Fatalf("Retry: %v\n%s", err, out.String())
	}
	if _, err := box.Get(ctx, id); err == nil {
		t.Error("the failed notice is still there after its requeue")
	}
	env, err := box.Claim(ctx, "w", clock.Now(), time.Minute)
	if err != nil {
		t.Fatalf("nothing due after the retry: %v", err)
	}
	m := env.Message
	if m.Kind != reset.KindPasswordChanged || m.To != dora.Email || m.UserID != dora.ID ||
		!strings.Contains(m.Text, "1 December 2026 at 09:30 UTC") || !strings.Contains(out.String(), "requeued") {
		t.Fatalf("requeued %+v\noutput %q; want dora's notice of the change at 09:30", m, out.String())
	}
}
