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

// TestRefusedWriteWithdrawsTheNotice is issue 17's finding 7: a password write the
// store refused outright (validation, privileges) surely did not apply, even when
// the user read again still shows the old hash: the held notice is withdrawn, so
// that no false "password changed" e-mail goes out, and the error is passed on.
func TestRefusedWriteWithdrawsTheNotice(t *testing.T) {
	r, d := newResetter(t, noticeConfig(false), now)
	refused := fmt.Errorf("store new password: document failed validation: %w", ports.ErrWriteRefused)
	d.users.EXPECT().FindByID(gomock.Any(), alice.ID).Return(alice, nil).MinTimes(1)
	d.hasher.EXPECT().Hash(goodPassword).Return("new-hash", nil)
	gomock.InOrder(
		expectHeld(d),
		d.users.EXPECT().SetPassword(gomock.Any(), gomock.Any()).Return(refused),
		d.box.EXPECT().Delete(gomock.Any(), "held-1").Return(nil),
	)
	err := r.Reset(context.Background(), request(false, now, goodPassword))
	if !errors.Is(err, ports.ErrWriteRefused) {
		t.Fatalf("Reset = %v, want the refusal", err)
	}
	if strings.Contains(d.logs.String(), "password_reset.succeeded") {
		t.Fatalf("a refused write logged as a success:\n%s", d.logs)
	}
}

// TestDeadWritersLockIsUnavailable is issue 17's finding 6 (the domain's side): a
// one-time link whose compare-and-set keeps losing while the stored hash is still
// the one read (another writer holds the user, and may have died holding it) is a
// 503 once the store timeout is up, never "Invalid signature": the link was not
// used. Should the holder's write land meanwhile, the link is used: 400.
func TestDeadWritersLockIsUnavailable(t *testing.T) {
	cfg := noticeConfig(true)
	cfg.StoreTimeout = 50 * time.Millisecond // how long the dead writer's lock is waited on
	r, d := newResetter(t, cfg, now)
	// How many tries fit in the timeout depends on the machine's load: the answer
	// is what this test holds to, not the count of tries.
	d.users.EXPECT().FindByID(gomock.Any(), alice.ID).Return(alice, nil).MinTimes(1)
	d.hasher.EXPECT().Hash(goodPassword).Return("new-hash", nil)
	d.box.EXPECT().Add(gomock.Any(), gomock.Any(), gomock.Any()).Return("held-1", nil) // held for the short timeout
	d.users.EXPECT().SetPassword(gomock.Any(), gomock.Any()).Return(ports.ErrPasswordChanged).AnyTimes()
	d.box.EXPECT().Delete(gomock.Any(), "held-1").Return(nil)
	err := r.Reset(context.Background(), request(true, now, goodPassword))
	if !errors.Is(err, ports.ErrUnavailable) || errors.Is(err, reset.ErrInvalidSignature) {
		t.Fatalf("Reset against a dead writer's lock = %v; want ErrUnavailable (a 503)", err)
	}
	if strings.Contains(d.logs.String(), "password_reset.failed") {
		t.Fatalf("an unused link audited as a failure:\n%s", d.logs)
	}
}

// TestLiveWriterUsesTheOneTimeLink: while another reset holds the user, a one-time
// link waits; once that reset's write lands, the link is used: Invalid signature.
func TestLiveWriterUsesTheOneTimeLink(t *testing.T) {
	r, d := newResetter(t, noticeConfig(true), now)
	other := alice
	other.PasswordHash = "other-hash"
	gomock.InOrder(
		d.users.EXPECT().FindByID(gomock.Any(), alice.ID).Return(alice, nil),
		d.users.EXPECT().FindByID(gomock.Any(), alice.ID).Return(alice, nil), // the other write not yet seen
		d.users.EXPECT().FindByID(gomock.Any(), alice.ID).Return(other, nil),
	)
	d.hasher.EXPECT().Hash(goodPassword).Return("new-hash", nil)
	expectHeld(d)
	d.users.EXPECT().SetPassword(gomock.Any(), gomock.Any()).Return(ports.ErrPasswordChanged).Times(2)
	d.box.EXPECT().Delete(gomock.Any(), "held-1").Return(nil)
	if err := r.Reset(context.Background(), request(true, now, goodPassword)); !errors.Is(err, reset.ErrInvalidSignature) {
		t.Fatalf("Reset = %v; want ErrInvalidSignature, the link used by the other reset", err)
	}
}

// TestLostCompareAndSetUnreadWithdrawsTheNotice (found by the simulator, sim17): a
// reset whose compare-and-set another reset won, and which then cannot read the
// user back, surely did not write: its held notice is withdrawn, so that the other
// reset's notice is the only one, and the answer is a 503.
func TestLostCompareAndSetUnreadWithdrawsTheNotice(t *testing.T) {
	r, d := newResetter(t, noticeConfig(false), now)
	gomock.InOrder(
		d.users.EXPECT().FindByID(gomock.Any(), alice.ID).Return(alice, nil),
		d.users.EXPECT().FindByID(gomock.Any(), alice.ID).Return(ports.User{}, ports.ErrUnavailable),
	)
	d.hasher.EXPECT().Hash(goodPassword).Return("new-hash", nil)
	gomock.InOrder(
		expectHeld(d),
		d.users.EXPECT().SetPassword(gomock.Any(), gomock.Any()).Return(ports.ErrPasswordChanged),
		d.box.EXPECT().Delete(gomock.Any(), "held-1").Return(nil),
	)
	if err := r.Reset(context.Background(), request(false, now, goodPassword)); !errors.Is(err, ports.ErrUnavailable) {
		t.Fatalf("Reset = %v, want ErrUnavailable", err)
	}
}
