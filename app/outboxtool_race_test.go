package app_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/pwreset/pwreset/adapters/memory"
	"github.com/pwreset/pwreset/app"
	"github.com/pwreset/pwreset/domain/audit"
	"github.com/pwreset/pwreset/domain/event"
	"github.com/pwreset/pwreset/domain/link"
	"github.com/pwreset/pwreset/domain/outbox"
	"github.com/pwreset/pwreset/domain/policy"
	"github.com/pwreset/pwreset/domain/reset"
	"github.com/pwreset/pwreset/ports"
	"github.com/pwreset/pwreset/ports/portstest"
)

// bothRead is an outbox whose Failed answers only once two callers have read the
// failed messages: two `pwreset outbox retry` runs that both see one dead letter.
type bothRead struct {
	ports.Outbox
	read *sync.WaitGroup
}

func (b bothRead) Failed(ctx context.Context) ([]ports.Envelope, error) {
	failed, err := b.Outbox.Failed(ctx)
	b.read.Done()
	b.read.Wait()
	return failed, err
}

// TestConcurrentRetriesRequeueOnce is issue 17's "two concurrent outbox retry runs
// requeue a link twice": both runs read the one failed message before either
// deletes it. The requeued message's id is derived from the failed one's, so both
// store one message, for a link, a notice and an event alike, and neither run fails.
func TestConcurrentRetriesRequeueOnce(t *testing.T) {
	for _, kind := range []string{reset.KindResetLink, reset.KindPasswordChanged, event.Kind(event.PasswordChanged)} {
		t.Run(kind, func(t *testing.T) {
			ctx := context.Background()
			clock := portstest.NewClock(time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC))
			store := memory.NewStore(clock, memory.OutboxBounds{})
			dora := ports.User{ID: "7", Email: "dora@example.com", PasswordHash: "h",
				Logins: []ports.Field{{Name: "username", Value: "dora"}}}
			users := memory.NewUserStore([]string{"username"}, dora)
			cfg := reset.Config{Enabled: true, Period: 24 * time.Hour, URL: "https://frontend.example/reset/",
				From: "noreply@example.com", ChangedNotification: true, ChangeEvent: true}
			signer := link.NewSigner([]byte("0123456789abcdef0123456789abcdef"), false)
			queue := outbox.NewQueue(store.Outbox, nil)
			sender := reset.NewLinkSender(reset.LinkSenderDeps{Config: cfg, Users: users, Outbox: queue,
				Signer: signer, Clock: clock, Emails: reset.DefaultEmails(), Audit: audit.New(nil)})
			log := slog.New(slog.NewTextHandler(io.Discard, nil))
			resetter := reset.NewResetter(reset.ResetterDeps{Config: cfg, Users: users, Signer: signer, Clock: clock,
				Policy: policy.New(8), Outbox: queue, Emails: reset.DefaultEmails(), Audit: audit.New(log), Log: log})

			msg := ports.Message{Kind: kind, UserID: dora.ID, From: cfg.From, To: dora.Email, Text: "x"}
			if kind != reset.KindResetLink && kind != reset.KindPasswordChanged {
				var err error
				if msg, err = event.Message(event.NewID(), event.PasswordChanged, dora.ID, clock.Now()); err != nil {
					t.Fatal(err)
				}
			}
			id, err := store.Outbox.Add(ctx, msg, clock.Now())
			if err != nil {
				t.Fatal(err)
			}
			if _, err := store.Outbox.Claim(ctx, "w", clock.Now(), time.Minute); err != nil {
				t.Fatal(err)
			}
			if err := store.Outbox.MarkFailed(ctx, id, "w", "550 refused", clock.Now()); err != nil {
				t.Fatal(err)
			}

			var read, done sync.WaitGroup
			read.Add(2)
			box := bothRead{Outbox: store.Outbox, read: &read}
			errs := make([]error, 2)
			outs := make([]bytes.Buffer, 2)
			for i := range 2 {
				done.Go(func() { errs[i] = app.NewOutboxTool(box, sender, resetter, clock).Retry(ctx, &outs[i], nil) })
			}
			done.Wait()
			for i, err := range errs {
				if err != nil {
					t.Errorf("retry run %d: %v\n%s", i, err, outs[i].String())
				}
			}
			st, err := store.Outbox.Stats(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if st.Counts[ports.StatePending] != 1 || st.Counts[ports.StateFailed] != 0 {
				t.Fatalf("after two concurrent retries of one failed %s: %v; want 1 pending, 0 failed", kind, st.Counts)
			}
		})
	}
}
