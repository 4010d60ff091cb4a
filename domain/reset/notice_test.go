package reset_test

import (
	"context"
	"errors"
	"fmt"
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

// expectHeldMessage expects the notice to be held like expectHeld, and returns
// where the held message will be.
func expectHeldMessage(d resetDeps) *ports.Message {
	var held ports.Message
	d.box.EXPECT().Add(gomock.Any(), gomock.Any(), now.Add(heldFor)).DoAndReturn(
		func(_ context.Context, m ports.Message, _ time.Time) (string, error) { held = m; return "held-1", nil })
	return &held
}

// expectReleased expects the held notice to be released, once: made due now in
// the outbox it is in, with no copy sent and nothing deleted (the mocks fail the
// test on any other call).
func expectReleased(d resetDeps) *gomock.Call {
	return d.box.EXPECT().Release(gomock.Any(), "held-1", now).Return(nil)
}

func noticeConfig(oneTime bool) reset.Config {
	cfg := config
	cfg.ChangedNotification = true
	cfg.OneTimeUse = oneTime
	return cfg
}

// TestNoticeIsHeldBeforeTheWrite: the notice is in the outbox, not yet due, before
// the password is written, so that a process killed after the write leaves it to
// be delivered; after the write the held notice itself is released, in one call:
// no copy is sent, so that no crash can make two.
func TestNoticeIsHeldBeforeTheWrite(t *testing.T) {
	r, d := newResetter(t, noticeConfig(false), now)
	d.users.EXPECT().FindByID(gomock.Any(), alice.ID).Return(alice, nil)
	d.hasher.EXPECT().Hash(goodPassword).Return("new-hash", nil)
	gomock.InOrder(expectHeld(d), d.users.EXPECT().SetPassword(gomock.Any(), gomock.Any()), expectReleased(d))
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
	var held string
	d.box.EXPECT().Add(gomock.Any(), gomock.Any(), gomock.Any()).DoAndReturn(
		func(_ context.Context, m ports.Message, _ time.Time) (string, error) {
			held = m.ID
			return "", ports.ErrUnavailable
		})
	// The hold may have applied with its answer lost: it is withdrawn by the id chosen for it.
	d.box.EXPECT().Delete(gomock.Any(), gomock.Any()).DoAndReturn(func(_ context.Context, id string) error {
		if id == "" || id != held {
			t.Errorf("Delete(%q); want the id the hold chose, %q", id, held)
		}
		return ports.ErrMessageNotFound
	})
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
// deleted and never released.
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

// TestFailedReleaseLeavesTheHeldNotice: when the held notice cannot be released,
// it is kept (it goes out when due, late) and the reset is a success; a notice a
// worker already has (it fell due while the write was slow) is no failure at all.
func TestFailedReleaseLeavesTheHeldNotice(t *testing.T) {
	cases := []struct {
		name    string
		release error
		warning bool
	}{
		{"outbox down", ports.ErrUnavailable, true},
		{"already taken", fmt.Errorf("release message held-1 in the outbox: %w", ports.ErrMessageNotFound), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, d := newResetter(t, noticeConfig(false), now)
			expectReset(d)
			expectHeld(d)
			d.box.EXPECT().Release(gomock.Any(), "held-1", now).Return(c.release)
			// No Delete: the mock fails the test if the held notice is deleted.
			if err := r.Reset(context.Background(), request(false, now, goodPassword)); err != nil {
				t.Fatalf("Reset = %v; the password is changed and its notice held", err)
			}
			if got := strings.Contains(d.logs.String(), "release the password-changed e-mail; it goes out when due"); got != c.warning {
				t.Fatalf("warning logged: %v, want %v:\n%s", got, c.warning, d.logs)
			}
		})
	}
}
