package reset_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"go.uber.org/mock/gomock"

	"github.com/pwreset/pwreset/domain/reset"
	"github.com/pwreset/pwreset/ports"
)

// heldFor is how long after the reset a held notice falls due: the default store
// timeout and the margin of notice.go.
const heldFor = reset.DefaultStoreTimeout + 10*time.Second

// expectHeld expects the notice to be held in the outbox, due only after heldFor,
// and returns the call so that a test can order it.
func expectHeld(d resetDeps) *gomock.Call {
	return d.box.EXPECT().Add(gomock.Any(), gomock.Any(), now.Add(heldFor)).DoAndReturn(
		func(_ context.Context, m ports.Message, _ time.Time) (string, error) {
			if m.Kind != reset.KindPasswordChanged || m.To != alice.Email {
				return "", errors.New("held message is not the notice")
			}
			return "held-1", nil
		})
}

// expectReleased expects the held notice to be sent now and then deleted.
func expectReleased(d resetDeps) {
	gomock.InOrder(
		d.mailer.EXPECT().Send(gomock.Any(), gomock.Any()).Return("copy-1", nil),
		d.box.EXPECT().Delete(gomock.Any(), "held-1").Return(nil),
	)
}

func noticeConfig(oneTime bool) reset.Config {
	cfg := config
	cfg.ChangedNotification = true
	cfg.OneTimeUse = oneTime
	return cfg
}

// TestNoticeIsHeldBeforeTheWrite: the notice is in the outbox, not yet due, before
// the password is written, so that a process killed after the write leaves it to
// be delivered; after the write a copy due now is queued and the held one deleted.
func TestNoticeIsHeldBeforeTheWrite(t *testing.T) {
	r, d := newResetter(t, noticeConfig(false), now)
	d.users.EXPECT().FindByID(gomock.Any(), alice.ID).Return(alice, nil)
	d.hasher.EXPECT().Hash(goodPassword).Return("new-hash", nil)
	gomock.InOrder(expectHeld(d), d.users.EXPECT().SetPassword(gomock.Any(), gomock.Any()))
	expectReleased(d)
	if err := r.Reset(context.Background(), request(false, now, goodPassword)); err != nil {
		t.Fatal(err)
	}
}

// TestOutboxDownStopsTheReset: a notice that cannot be stored stops the reset before
// the write, with the outbox's error (a 503): no change without a notice.
func TestOutboxDownStopsTheReset(t *testing.T) {
	r, d := newResetter(t, noticeConfig(false), now)
	d.users.EXPECT().FindByID(gomock.Any(), alice.ID).Return(alice, nil)
	d.hasher.EXPECT().Hash(goodPassword).Return("new-hash", nil)
	d.box.EXPECT().Add(gomock.Any(), gomock.Any(), gomock.Any()).Return("", ports.ErrUnavailable)
	err := r.Reset(context.Background(), request(false, now, goodPassword))
	if !errors.Is(err, ports.ErrUnavailable) {
		t.Fatalf("Reset = %v, want ErrUnavailable", err)
	}
	if strings.Contains(d.logs.String(), "password_reset.succeeded") {
		t.Fatalf("a success was logged:\n%s", d.logs)
	}
}

// TestNoticeOfAChangeNotMadeIsWithdrawn: when the write surely did not happen (the
// one-time link was used by another reset, the user is gone), the held notice is
// deleted and no copy is sent.
func TestNoticeOfAChangeNotMadeIsWithdrawn(t *testing.T) {
	other := alice
	other.PasswordHash = "someone-else's-hash"
	cases := []struct {
		name   string
		write  error
		reread *ports.User
		want   error
	}{
		{"link used by another reset", ports.ErrPasswordChanged, &other, reset.ErrInvalidSignature},
		{"user deleted", ports.ErrUserNotFound, nil, reset.ErrInvalidSignature},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, d := newResetter(t, noticeConfig(true), now)
			d.users.EXPECT().FindByID(gomock.Any(), alice.ID).Return(alice, nil)
			d.hasher.EXPECT().Hash(goodPassword).Return("new-hash", nil)
			gomock.InOrder(expectHeld(d), d.users.EXPECT().SetPassword(gomock.Any(), gomock.Any()).Return(c.write))
			if c.reread != nil {
				d.users.EXPECT().FindByID(gomock.Any(), alice.ID).Return(*c.reread, nil)
			}
			d.box.EXPECT().Delete(gomock.Any(), "held-1").Return(nil)
			if err := r.Reset(context.Background(), request(true, now, goodPassword)); !errors.Is(err, c.want) {
				t.Fatalf("Reset = %v, want %v", err, c.want)
			}
		})
	}
}

// TestFailedCopyLeavesTheHeldNotice: when the copy due now cannot be queued, the
// held notice is kept (it goes out when due) and the reset is a success.
func TestFailedCopyLeavesTheHeldNotice(t *testing.T) {
	r, d := newResetter(t, noticeConfig(false), now)
	expectReset(d)
	expectHeld(d)
	d.mailer.EXPECT().Send(gomock.Any(), gomock.Any()).Return("", ports.ErrUnavailable)
	// No Delete: the mock fails the test if the held notice is deleted.
	if err := r.Reset(context.Background(), request(false, now, goodPassword)); err != nil {
		t.Fatalf("Reset = %v; the password is changed and its notice held", err)
	}
	if !strings.Contains(d.logs.String(), "the held copy goes out when due") {
		t.Fatalf("the failure was not logged:\n%s", d.logs)
	}
}
