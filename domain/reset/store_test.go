package reset_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"go.uber.org/mock/gomock"

	"github.com/pwreset/pwreset/ports"
)

// TestUnclearWriteIsSettledByReading: when the answer to the write is an unclear
// error (the store unreachable, a deadline), the write may have been made all the
// same. The user is read again: the new hash stored is a success, with its audit
// event and its notice; the old hash still stored is the error, without the event,
// and the held notice is left to go out, for the write may yet land.
func TestUnclearWriteIsSettledByReading(t *testing.T) {
	withNew := alice
	withNew.PasswordHash = "new-hash"
	cases := []struct {
		name    string
		reread  ports.User
		readErr error
		want    error
	}{
		{"made, answer lost", withNew, nil, nil},
		{"not made", alice, nil, ports.ErrUnavailable},
		{"cannot tell", ports.User{}, ports.ErrUnavailable, ports.ErrUnavailable},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := config
			cfg.ChangedNotification = true
			r, d := newResetter(t, cfg, now)
			gomock.InOrder(
				d.users.EXPECT().FindByID(gomock.Any(), alice.ID).Return(alice, nil),
				d.users.EXPECT().SetPassword(gomock.Any(), gomock.Any()).Return(
					errors.Join(context.DeadlineExceeded, ports.ErrUnavailable)),
				d.users.EXPECT().FindByID(gomock.Any(), alice.ID).Return(c.reread, c.readErr),
			)
			d.hasher.EXPECT().Hash(goodPassword).Return("new-hash", nil)
			expectHeld(d)
			if c.want == nil {
				expectReleased(d)
			} // else no Release nor Delete: the mock fails the test if the held notice is touched
			err := r.Reset(context.Background(), request(false, now, goodPassword))
			if !errors.Is(err, c.want) || (c.want == nil && err != nil) {
				t.Fatalf("Reset = %v, want %v", err, c.want)
			}
			if succeeded := strings.Contains(d.logs.String(), "password_reset.succeeded"); succeeded != (c.want == nil) {
				t.Fatalf("success event logged: %v, want %v:\n%s", succeeded, c.want == nil, d.logs)
			}
		})
	}
}

// TestClientHangingUpDoesNotStopTheChange: the client's context ends once the write
// is sent; the write, the audit event and the notice go on with a context that has
// not ended, and the reset is a success.
func TestClientHangingUpDoesNotStopTheChange(t *testing.T) {
	cfg := config
	cfg.ChangedNotification = true
	r, d := newResetter(t, cfg, now)
	ctx, hangUp := context.WithCancel(context.Background())
	defer hangUp()
	d.users.EXPECT().FindByID(gomock.Any(), alice.ID).Return(alice, nil)
	d.hasher.EXPECT().Hash(goodPassword).Return("new-hash", nil)
	d.users.EXPECT().SetPassword(gomock.Any(), gomock.Any()).DoAndReturn(func(wctx context.Context, _ ports.PasswordChange) error {
		hangUp()
		if _, ok := wctx.Deadline(); !ok {
			t.Error("the write has no deadline")
		}
		return wctx.Err() // what a store does whose call is cut short
	})
	expectHeld(d)
	d.box.EXPECT().Release(gomock.Any(), "held-1", now).DoAndReturn(func(mctx context.Context, _ string, _ time.Time) error {
		return mctx.Err()
	})
	if err := r.Reset(ctx, request(false, now, goodPassword)); err != nil {
		t.Fatalf("Reset = %v; the client's hang-up stopped the change", err)
	}
	if logs := d.logs.String(); !strings.Contains(logs, "password_reset.succeeded") || strings.Contains(logs, "password-changed e-mail") {
		t.Fatalf("want the success event and the notice queued:\n%s", logs)
	}
}
