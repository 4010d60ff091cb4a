package reset_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/mock/gomock"

	"github.com/pwreset/pwreset/domain/reset"
)

func expectReset(d resetDeps) {
	d.users.EXPECT().FindByID(gomock.Any(), alice.ID).Return(alice, nil)
	d.hasher.EXPECT().Hash(goodPassword).Return("new-hash", nil)
	d.users.EXPECT().SetPassword(gomock.Any(), gomock.Any())
}

func TestNewerLinkKillsOlderOnes(t *testing.T) {
	cfg := config
	cfg.InvalidateOlderLinks = true
	issued := now.Add(-time.Hour)
	for name, latest := range map[string]time.Time{"older link": issued.Add(time.Minute), "latest link": issued} {
		t.Run(name, func(t *testing.T) {
			r, d := newResetter(t, cfg, now)
			d.box.EXPECT().LatestEvent(gomock.Any(), "reset_link:user:"+alice.ID).Return(latest, nil)
			if latest.After(issued) {
				d.users.EXPECT().FindByID(gomock.Any(), alice.ID).Return(alice, nil)
				if err := r.Reset(context.Background(), request(false, issued, goodPassword)); !errors.Is(err, reset.ErrInvalidSignature) {
					t.Fatalf("Reset = %v, want ErrInvalidSignature", err)
				}
				return
			}
			expectReset(d)
			if err := r.Reset(context.Background(), request(false, issued, goodPassword)); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestPasswordChangedNotification(t *testing.T) {
	cfg := config
	cfg.ChangedNotification = true
	r, d := newResetter(t, cfg, now)
	expectReset(d)
	sent := expectHeldMessage(d)
	expectReleased(d)
	if err := r.Reset(context.Background(), request(false, now, goodPassword)); err != nil {
		t.Fatal(err)
	}
	if sent.Kind != reset.KindPasswordChanged || sent.To != alice.Email || sent.Subject != "Your pwreset password was changed" ||
		!strings.Contains(sent.Text, "25 November 2026 at 12:00 UTC") || strings.Contains(sent.Text, goodPassword) {
		t.Fatalf("notification %+v", sent)
	}
}

func TestBreachedPassword(t *testing.T) {
	t.Run("found", func(t *testing.T) {
		r, d := newResetter(t, config, now, true)
		d.users.EXPECT().FindByID(gomock.Any(), alice.ID).Return(alice, nil)
		d.breach.EXPECT().Breached(gomock.Any(), goodPassword).Return(true, nil)
		var pe *reset.PasswordError
		if err := r.Reset(context.Background(), request(false, now, goodPassword)); !errors.As(err, &pe) ||
			!slices.Equal(pe.Policy, []string{reset.MsgBreached}) {
			t.Fatalf("Reset = %v", err)
		}
	})
	t.Run("checker down lets it through", func(t *testing.T) {
		r, d := newResetter(t, config, now, true)
		expectReset(d)
		d.breach.EXPECT().Breached(gomock.Any(), goodPassword).Return(false, errors.New("timeout"))
		if err := r.Reset(context.Background(), request(false, now, goodPassword)); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(d.logs.String(), "breached-password check failed") {
			t.Fatalf("no warning logged:\n%s", d.logs)
		}
	})
}

func TestAuditEvents(t *testing.T) {
	r, d := newResetter(t, config, now)
	expectReset(d)
	if err := r.Reset(context.Background(), request(false, now, goodPassword)); err != nil {
		t.Fatal(err)
	}
	d.users.EXPECT().FindByID(gomock.Any(), alice.ID).Return(alice, nil)
	bad := request(false, now, goodPassword)
	bad.Signature = "forged"
	r.Reset(context.Background(), bad)
	logs := d.logs.String()
	for _, want := range []string{"msg=password_reset.succeeded audit=true user_id=" + alice.ID,
		"msg=password_reset.failed audit=true user_id=\"\" reason=invalid_signature"} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %q:\n%s", want, logs)
		}
	}
	if strings.Contains(logs, goodPassword) || strings.Contains(logs, "forged") {
		t.Fatalf("a secret was logged:\n%s", logs)
	}
}
