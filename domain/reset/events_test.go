package reset_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/pwreset/pwreset/adapters/memory"
	"github.com/pwreset/pwreset/domain/audit"
	"github.com/pwreset/pwreset/domain/event"
	"github.com/pwreset/pwreset/domain/link"
	"github.com/pwreset/pwreset/domain/outbox"
	"github.com/pwreset/pwreset/domain/policy"
	"github.com/pwreset/pwreset/domain/reset"
	"github.com/pwreset/pwreset/ports"
	"github.com/pwreset/pwreset/ports/portstest"
)

// writeFault is how the password write of a faultyUsers fails.
type writeFault int

const (
	writeOK         writeFault = iota
	writeLostReply             // applied, its answer lost
	writeLostHangUp            // applied, its answer lost, and the client hangs up
	writeDown                  // not applied, and the store stays down for reads too
	writeRefused               // refused outright: surely not applied
)

// faultyUsers is a user store whose SetPassword fails as fault says.
type faultyUsers struct {
	ports.UserStore
	fault  writeFault
	hangUp context.CancelFunc
	down   bool
}

func (u *faultyUsers) FindByID(ctx context.Context, id string) (ports.User, error) {
	if u.down {
		return ports.User{}, errStoreDown
	}
	return u.UserStore.FindByID(ctx, id)
}

func (u *faultyUsers) SetPassword(ctx context.Context, c ports.PasswordChange) error {
	switch u.fault {
	case writeDown:
		u.down = true
		return errStoreDown
	case writeRefused:
		return fmt.Errorf("document failed validation: %w", ports.ErrWriteRefused)
	}
	if err := u.UserStore.SetPassword(ctx, c); err != nil || u.fault == writeOK {
		return err
	}
	if u.fault == writeLostHangUp {
		u.hangUp()
	}
	return fmt.Errorf("update: the reply was lost: %w", ports.ErrUnavailable)
}

// TestChangeAndEventInseparable runs resets with notices and password.changed
// events on under the faults the notice is proved against: the write's answer
// lost (with and without the client hanging up), the store down for the write
// and the read after it, a refused write, and the outbox failing the holds. Then
// it lets time pass beyond every hold and counts what goes out: a changed
// password has exactly one notice and one event, released at once; an unchanged
// one has neither, except where nobody can tell (the store down: both go out, a
// notice and an event that may be false). A hold applied whose answer was lost is
// withdrawn by the id chosen for it: nothing goes out.
func TestChangeAndEventInseparable(t *testing.T) {
	tests := []struct {
		name     string
		write    writeFault
		lostHold int  // the hold, 1 (notice) or 2 (event), whose answer is lost
		downHold bool // the event's hold fails unapplied, the outbox goes down
		changed  bool
		notices  int // notices that go out in the end
		events   int
		released bool // both due at once, not when the hold ends
	}{
		{name: "made", changed: true, notices: 1, events: 1, released: true},
		{name: "write answer lost", write: writeLostReply, changed: true, notices: 1, events: 1, released: true},
		{name: "write answer lost, client hung up", write: writeLostHangUp, changed: true, notices: 1, events: 1, released: true},
		{name: "store down, unclear", write: writeDown, notices: 1, events: 1},
		{name: "write refused", write: writeRefused},
		{name: "event hold fails", downHold: true},
		{name: "event hold answer lost", lostHold: 2},
		{name: "notice hold answer lost", lostHold: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := portstest.NewClock(now)
			store := memory.NewStore(clock, memory.OutboxBounds{})
			box := &holdBox{Outbox: store.Outbox, lose: tt.lostHold}
			if tt.downHold {
				box.fail = 2
			}
			users := &faultyUsers{UserStore: memory.NewUserStore([]string{"username"}, alice), fault: tt.write}
			cfg := noticeConfig(false)
			cfg.ChangeEvent = true
			log := slog.New(slog.NewTextHandler(io.Discard, nil))
			r := reset.NewResetter(reset.ResetterDeps{Config: cfg, Users: users, Hasher: plainHasher{},
				Signer: link.NewSigner(key, false), Clock: clock, Policy: policy.New(8),
				Outbox: outbox.NewQueue(box, nil), Emails: reset.DefaultEmails(), Audit: audit.New(log), Log: log})
			ctx, hangUp := context.WithCancel(context.Background())
			defer hangUp()
			users.hangUp = hangUp

			err := r.Reset(ctx, request(false, now, goodPassword))
			if (err == nil) != tt.changed {
				t.Fatalf("Reset = %v, want success %v", err, tt.changed)
			}
			users.down = false
			stored, rerr := users.UserStore.FindByID(context.Background(), alice.ID)
			if rerr != nil {
				t.Fatal(rerr)
			}
			if changed := stored.PasswordHash == "plain$"+goodPassword; changed != tt.changed {
				t.Fatalf("password changed: %v, want %v", changed, tt.changed)
			}
			notices, events := claimDue(t, store.Outbox, clock.Now())
			if tt.released && (notices != 1 || events != 1) {
				t.Errorf("due at once: %d notices, %d events; want both released with the change", notices, events)
			}
			clock.Add(reset.DefaultStoreTimeout + time.Minute)
			n, e := claimDue(t, store.Outbox, clock.Now())
			notices, events = notices+n, events+e
			if notices != tt.notices || events != tt.events {
				t.Errorf("in the end %d notices and %d events go out, want %d and %d", notices, events, tt.notices, tt.events)
			}
		})
	}
}

// holdBox is an outbox whose n-th Add (1 the notice's hold, 2 the event's) can
// fail unapplied or lose its answer after it applied.
type holdBox struct {
	ports.Outbox
	adds       int
	fail, lose int
}

func (b *holdBox) Add(ctx context.Context, msg ports.Message, at time.Time) (string, error) {
	b.adds++
	if b.adds == b.fail {
		return "", errStoreDown
	}
	id, err := b.Outbox.Add(ctx, msg, at)
	if err == nil && b.adds == b.lose {
		return "", fmt.Errorf("insert: the reply was lost: %w", ports.ErrUnavailable)
	}
	return id, err
}

// claimDue claims every message due at now and counts notices and events.
func claimDue(t *testing.T, box ports.Outbox, now time.Time) (notices, events int) {
	t.Helper()
	for {
		env, err := box.Claim(context.Background(), "test", now, time.Hour)
		if errors.Is(err, ports.ErrNothingDue) {
			return notices, events
		}
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case env.Message.Kind == reset.KindPasswordChanged:
			notices++
		case env.Message.Kind == event.Kind(event.PasswordChanged):
			events++
			if env.Message.UserID != alice.ID || env.Message.Text == "" {
				t.Errorf("event %+v", env.Message)
			}
		default:
			t.Errorf("unexpected message %q", env.Message.Kind)
		}
	}
}
