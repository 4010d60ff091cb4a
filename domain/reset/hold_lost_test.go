package reset_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/pwreset/pwreset/adapters/memory"
	"github.com/pwreset/pwreset/domain/audit"
	"github.com/pwreset/pwreset/domain/link"
	"github.com/pwreset/pwreset/domain/outbox"
	"github.com/pwreset/pwreset/domain/policy"
	"github.com/pwreset/pwreset/domain/reset"
	"github.com/pwreset/pwreset/ports"
	"github.com/pwreset/pwreset/ports/portstest"
)

// TestLostHoldReplyLeavesNothing: a hold that the outbox applies but whose answer
// is lost makes the reset answer 503 with the password unchanged; the held notice
// or event, stored under the id the Resetter chose, is withdrawn by that id, so
// that a dispatcher working the outbox long after the hold ends delivers neither.
// (Before, the message was stored under an id the Resetter never learnt, and went
// out: word of a change that did not happen.)
func TestLostHoldReplyLeavesNothing(t *testing.T) {
	for _, lose := range []int{1, 2} {
		t.Run([]string{"", "notice", "event"}[lose], func(t *testing.T) {
			clock := portstest.NewClock(now)
			store := memory.NewStore(clock, memory.OutboxBounds{})
			box := &holdBox{Outbox: store.Outbox, lose: lose}
			users := memory.NewUserStore([]string{"username"}, alice)
			cfg := noticeConfig(false)
			cfg.ChangeEvent = true
			log := slog.New(slog.NewTextHandler(io.Discard, nil))
			r := reset.NewResetter(reset.ResetterDeps{Config: cfg, Users: users, Hasher: plainHasher{},
				Signer: link.NewSigner(key, false), Clock: clock, Policy: policy.New(8),
				Outbox: outbox.NewQueue(box, nil), Emails: reset.DefaultEmails(), Audit: audit.New(log), Log: log})

			err := r.Reset(context.Background(), request(false, now, goodPassword))
			if !errors.Is(err, ports.ErrUnavailable) {
				t.Fatalf("Reset = %v; want an error wrapping ErrUnavailable (503)", err)
			}
			stored, err := users.FindByID(context.Background(), alice.ID)
			if err != nil || stored.PasswordHash == "plain$"+goodPassword {
				t.Fatalf("password changed (%v) although the reset answered 503", err)
			}
			mailer := memory.NewMailer()
			d := outbox.NewDispatcher(outbox.DefaultConfig(), store.Outbox, mailer, clock, log, nil)
			for range 3 {
				clock.Add(reset.DefaultStoreTimeout + time.Minute)
				for {
					sent, err := d.DeliverDue(context.Background())
					if err != nil {
						t.Fatal(err)
					}
					if !sent {
						break
					}
				}
			}
			if got := mailer.Sent(); len(got) != 0 {
				t.Fatalf("%d messages delivered after a reset that changed nothing, the first a %s", len(got), got[0].Kind)
			}
			st, err := store.Outbox.Stats(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			for state, n := range st.Counts {
				if n != 0 {
					t.Errorf("%d messages %s in the outbox; want none left behind", n, state)
				}
			}
		})
	}
}
