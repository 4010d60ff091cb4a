package reset_test

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/mock/gomock"

	"github.com/pwreset/pwreset/domain/audit"
	"github.com/pwreset/pwreset/domain/link"
	"github.com/pwreset/pwreset/domain/policy"
	"github.com/pwreset/pwreset/domain/reset"
	"github.com/pwreset/pwreset/mocks"
	"github.com/pwreset/pwreset/ports"
)

const goodPassword = "correct-horse-battery-staple-91"

type resetDeps struct {
	users  *mocks.MockUserStore
	hasher *mocks.MockPasswordHasher
	clock  *mocks.MockClock
	box    *mocks.MockOutbox
	breach *mocks.MockBreachChecker
	logs   *strings.Builder
}

// newResetter returns a resetter; with a breach checker when withBreach is given.
func newResetter(t *testing.T, cfg reset.Config, at time.Time, withBreach ...bool) (*reset.Resetter, resetDeps) {
	ctrl := gomock.NewController(t)
	d := resetDeps{mocks.NewMockUserStore(ctrl), mocks.NewMockPasswordHasher(ctrl), mocks.NewMockClock(ctrl),
		mocks.NewMockOutbox(ctrl), mocks.NewMockBreachChecker(ctrl), &strings.Builder{}}
	d.clock.EXPECT().Now().Return(at).AnyTimes()
	signer := link.NewSigner(key, cfg.OneTimeUse)
	var breach ports.BreachChecker
	if len(withBreach) > 0 {
		breach = d.breach
	}
	log := slog.New(slog.NewTextHandler(d.logs, nil))
	return reset.NewResetter(reset.ResetterDeps{Config: cfg, Users: d.users, Hasher: d.hasher, Signer: signer,
		Clock: d.clock, Policy: policy.New(8), Breach: breach, Outbox: d.box, Emails: reset.DefaultEmails(),
		Audit: audit.New(log), Log: log}), d
}

// request returns a reset request for alice, signed as a link issued at issued.
func request(oneTime bool, issued time.Time, password string) reset.Request {
	c := link.Claims{UserID: alice.ID, Timestamp: issued.Unix(), PasswordHash: alice.PasswordHash}
	return reset.Request{UserID: c.UserID, Timestamp: c.Timestamp, Signature: link.NewSigner(key, oneTime).Sign(c), Password: password}
}

func TestResetStoresTheNewHash(t *testing.T) {
	r, d := newResetter(t, config, now)
	d.users.EXPECT().FindByID(gomock.Any(), alice.ID).Return(alice, nil)
	d.hasher.EXPECT().Hash(goodPassword).Return("new-hash", nil)
	d.users.EXPECT().SetPassword(gomock.Any(), ports.PasswordChange{
		UserID: alice.ID, OldHash: "old-hash", NewHash: "new-hash", ChangedAt: now})
	if err := r.Reset(context.Background(), request(false, now.Add(-time.Hour), goodPassword)); err != nil {
		t.Fatalf("Reset: %v", err)
	}
}

func TestResetRefusesBadLinks(t *testing.T) {
	forged := request(false, now, goodPassword)
	forged.Signature = link.NewSigner([]byte("another key, 32 bytes long......"), false).
		Sign(link.Claims{UserID: alice.ID, Timestamp: now.Unix()})
	otherUser := request(false, now, goodPassword)
	otherUser.UserID = "42"
	cases := []struct {
		name string
		req  reset.Request
		user ports.User
		find error
		want error
	}{
		{"forged", forged, alice, nil, reset.ErrInvalidSignature},
		{"signed for another user", otherUser, alice, nil, reset.ErrInvalidSignature},
		{"unknown user", request(false, now, goodPassword), ports.User{}, ports.ErrUserNotFound, reset.ErrInvalidSignature},
		{"expired", request(false, now.Add(-24*time.Hour-time.Second), goodPassword), alice, nil, reset.ErrSignatureExpired},
		{"from the future", request(false, now.Add(2*time.Minute), goodPassword), alice, nil, reset.ErrInvalidSignature},
		{"store down", request(false, now, goodPassword), ports.User{}, ports.ErrUnavailable, ports.ErrUnavailable},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, d := newResetter(t, config, now)
			d.users.EXPECT().FindByID(gomock.Any(), c.req.UserID).Return(c.user, c.find)
			// No Hash or SetPassword is expected: the mocks fail the test on either.
			if err := r.Reset(context.Background(), c.req); !errors.Is(err, c.want) {
				t.Fatalf("Reset = %v, want %v", err, c.want)
			}
		})
	}
}

func TestResetAcceptsLinksWithinTheirLife(t *testing.T) {
	for name, issued := range map[string]time.Time{
		"exactly the period old": now.Add(-24 * time.Hour),
		"a little in the future": now.Add(30 * time.Second),
	} {
		t.Run(name, func(t *testing.T) {
			r, d := newResetter(t, config, now)
			d.users.EXPECT().FindByID(gomock.Any(), alice.ID).Return(alice, nil)
			d.hasher.EXPECT().Hash(goodPassword).Return("new-hash", nil)
			d.users.EXPECT().SetPassword(gomock.Any(), gomock.Any())
			if err := r.Reset(context.Background(), request(false, issued, goodPassword)); err != nil {
				t.Fatalf("Reset: %v", err)
			}
		})
	}
}

func TestResetRefusesBadPasswords(t *testing.T) {
	mismatch := request(false, now, goodPassword)
	other := goodPassword + "x"
	mismatch.Confirm = &other
	bothWrong := request(false, now, "alic3q")
	bothWrong.Confirm = &other
	cases := []struct {
		name     string
		req      reset.Request
		policy   []string
		mismatch bool
	}{
		{"numeric and common", request(false, now, "12345678"), []string{"This password is too common.", "This password is entirely numeric."}, false},
		{"similar and short", request(false, now, "alic3q"), []string{"The password is too similar to the username.", "This password is too short. It must contain at least 8 characters."}, false},
		{"confirmation differs", mismatch, nil, true},
		{"both", bothWrong, []string{"The password is too similar to the username.", "This password is too short. It must contain at least 8 characters."}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, d := newResetter(t, config, now)
			d.users.EXPECT().FindByID(gomock.Any(), alice.ID).Return(alice, nil)
			var pe *reset.PasswordError
			if err := r.Reset(context.Background(), c.req); !errors.As(err, &pe) {
				t.Fatalf("Reset = %v, want a PasswordError", err)
			}
			if !slices.Equal(pe.Policy, c.policy) || pe.Mismatch != c.mismatch {
				t.Fatalf("PasswordError = %+v, want policy %q mismatch %v", pe, c.policy, c.mismatch)
			}
		})
	}
}

func TestResetRefusesAPasswordTheHasherCannotTake(t *testing.T) {
	r, d := newResetter(t, config, now)
	d.users.EXPECT().FindByID(gomock.Any(), alice.ID).Return(alice, nil)
	d.hasher.EXPECT().Hash(gomock.Any()).Return("", ports.ErrPasswordTooLong)
	var pe *reset.PasswordError
	if err := r.Reset(context.Background(), request(false, now, goodPassword)); !errors.As(err, &pe) ||
		!slices.Equal(pe.Policy, []string{reset.MsgTooLong}) {
		t.Fatalf("Reset = %v, want PasswordError %q", err, reset.MsgTooLong)
	}
}

func TestConcurrentResets(t *testing.T) {
	changed := alice
	changed.PasswordHash = "hash-from-the-other-reset"
	t.Run("one-time link loses the race", func(t *testing.T) {
		cfg := config
		cfg.OneTimeUse = true
		r, d := newResetter(t, cfg, now)
		gomock.InOrder(
			d.users.EXPECT().FindByID(gomock.Any(), alice.ID).Return(alice, nil),
			d.users.EXPECT().SetPassword(gomock.Any(), gomock.Any()).Return(ports.ErrPasswordChanged),
			d.users.EXPECT().FindByID(gomock.Any(), alice.ID).Return(changed, nil),
		)
		d.hasher.EXPECT().Hash(goodPassword).Return("new-hash", nil)
		if err := r.Reset(context.Background(), request(true, now, goodPassword)); !errors.Is(err, reset.ErrInvalidSignature) {
			t.Fatalf("Reset = %v, want ErrInvalidSignature", err)
		}
	})
	// A reusable link is still good after another reset: its hash, computed once, is
	// written again on top, against the hash now stored.
	t.Run("reusable link applies on top", func(t *testing.T) {
		r, d := newResetter(t, config, now)
		gomock.InOrder(
			d.users.EXPECT().FindByID(gomock.Any(), alice.ID).Return(alice, nil),
			d.users.EXPECT().SetPassword(gomock.Any(), gomock.Any()).Return(ports.ErrPasswordChanged),
			d.users.EXPECT().FindByID(gomock.Any(), alice.ID).Return(changed, nil),
			d.users.EXPECT().SetPassword(gomock.Any(), ports.PasswordChange{UserID: alice.ID,
				OldHash: changed.PasswordHash, NewHash: "new-hash", ChangedAt: now}),
		)
		d.hasher.EXPECT().Hash(goodPassword).Return("new-hash", nil).Times(1)
		if err := r.Reset(context.Background(), request(false, now, goodPassword)); err != nil {
			t.Fatalf("Reset: %v", err)
		}
	})
	// The other reset holds the change but has not written yet: the same write is
	// tried again a little later, until the other has landed.
	t.Run("reusable link waits for a change under way", func(t *testing.T) {
		r, d := newResetter(t, config, now)
		gomock.InOrder(
			d.users.EXPECT().FindByID(gomock.Any(), alice.ID).Return(alice, nil),
			d.users.EXPECT().SetPassword(gomock.Any(), gomock.Any()).Return(ports.ErrPasswordChanged),
			d.users.EXPECT().FindByID(gomock.Any(), alice.ID).Return(alice, nil),
			d.users.EXPECT().SetPassword(gomock.Any(), gomock.Any()).Return(ports.ErrPasswordChanged),
			d.users.EXPECT().FindByID(gomock.Any(), alice.ID).Return(changed, nil),
			d.users.EXPECT().SetPassword(gomock.Any(), ports.PasswordChange{UserID: alice.ID,
				OldHash: changed.PasswordHash, NewHash: "new-hash", ChangedAt: now}),
		)
		d.hasher.EXPECT().Hash(goodPassword).Return("new-hash", nil).Times(1)
		if err := r.Reset(context.Background(), request(false, now, goodPassword)); err != nil {
			t.Fatalf("Reset: %v", err)
		}
	})
	t.Run("reusable link gives up at the store deadline", func(t *testing.T) {
		cfg := config
		cfg.StoreTimeout = 50 * time.Millisecond
		r, d := newResetter(t, cfg, now)
		// How many tries fit in 50 ms depends on the machine's load: the answer, and
		// one hash however often the write is tried, are what this test holds to.
		d.users.EXPECT().FindByID(gomock.Any(), alice.ID).Return(alice, nil).MinTimes(1)
		d.users.EXPECT().SetPassword(gomock.Any(), gomock.Any()).Return(ports.ErrPasswordChanged).AnyTimes()
		d.hasher.EXPECT().Hash(goodPassword).Return("new-hash", nil).Times(1)
		if err := r.Reset(context.Background(), request(false, now, goodPassword)); !errors.Is(err, ports.ErrUnavailable) {
			t.Fatalf("Reset = %v, want ErrUnavailable (503: try again)", err)
		}
		if strings.Contains(d.logs.String(), "password_reset.succeeded") {
			t.Fatalf("a success was logged:\n%s", d.logs)
		}
	})
}

func TestOneTimeLinkDiesWithThePassword(t *testing.T) {
	cfg := config
	cfg.OneTimeUse = true
	r, d := newResetter(t, cfg, now)
	changed := alice
	changed.PasswordHash = "changed-since"
	d.users.EXPECT().FindByID(gomock.Any(), alice.ID).Return(changed, nil)
	if err := r.Reset(context.Background(), request(true, now, goodPassword)); !errors.Is(err, reset.ErrInvalidSignature) {
		t.Fatalf("Reset = %v, want ErrInvalidSignature", err)
	}
}
