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

var limited = reset.Config{Enabled: true, Period: 24 * time.Hour, URL: "https://frontend-host/reset-password/",
	From: "noreply@example.com", LinkCooldown: time.Minute, LinkDailyCap: 5, LinksPerHour: 100}

// TestLimitsSuppressSilently: a link over a limit is recorded as suppressed, with the
// reason, and the answer is the same as for a link that goes out.
func TestLimitsSuppressSilently(t *testing.T) {
	userKey := "reset_link:user:" + alice.ID
	cases := []struct {
		reason string
		limits func(senderDeps)
	}{
		{reset.ReasonCooldown, func(d senderDeps) {
			d.limiter.EXPECT().Allow(gomock.Any(), "reset_link:cooldown:"+alice.ID, 1, time.Minute, now).Return(false, 30*time.Second, nil)
		}},
		{reset.ReasonDailyCap, func(d senderDeps) {
			d.limiter.EXPECT().Allow(gomock.Any(), userKey, 5, 24*time.Hour, now).Return(false, time.Hour, nil)
		}},
		{reset.ReasonGlobalCap, func(d senderDeps) {
			d.limiter.EXPECT().Allow(gomock.Any(), "reset_link:global", 100, time.Hour, now).Return(false, time.Minute, nil)
			// A link the hourly cap stops is not the user's: it neither uses up their
			// day nor kills their older links.
			d.limiter.EXPECT().Allow(gomock.Any(), userKey, gomock.Any(), gomock.Any(), gomock.Any()).Times(0)
		}},
	}
	for _, c := range cases {
		t.Run(c.reason, func(t *testing.T) {
			s, d := newSender(t, limited, reset.DefaultTemplates(reset.KindResetLink), c.limits)
			d.users.EXPECT().FindByLogin(gomock.Any(), "alice").Return(alice, nil)
			d.box.EXPECT().Discard(gomock.Any(), gomock.Any(), c.reason, now).DoAndReturn(
				func(_ context.Context, m ports.Message, _ string, _ time.Time) (string, error) {
					if m.To != alice.Email || m.UserID != alice.ID {
						t.Errorf("discarded %+v", m)
					}
					return "id", nil
				})
			if err := s.Send(context.Background(), reset.Lookup{Value: "alice"}); err != nil {
				t.Fatalf("Send = %v; a limit must not change the answer", err)
			}
		})
	}
}

// TestUnknownUsersTakeTheSamePath: the calls made for an unknown login are those made
// for a known one, but for storing the message as suppressed instead of queueing it.
func TestUnknownUsersTakeTheSamePath(t *testing.T) {
	trace := func(login string, found bool) []string {
		var calls []string
		rec := func(name string) { calls = append(calls, name) }
		s, d := newSender(t, limited, reset.DefaultTemplates(reset.KindResetLink), func(d senderDeps) {
			d.limiter.EXPECT().Allow(gomock.Any(), gomock.Any(), gomock.Any(), gomock.Any(), gomock.Any()).
				Do(func(context.Context, string, int, time.Duration, time.Time) { rec("Allow") }).
				Return(true, time.Duration(0), nil).Times(3)
		})
		user, err := alice, error(nil)
		if !found {
			user, err = ports.User{}, ports.ErrUserNotFound
		}
		d.users.EXPECT().FindByLogin(gomock.Any(), login).Do(func(context.Context, string) { rec("FindByLogin") }).Return(user, err)
		d.mailer.EXPECT().Send(gomock.Any(), gomock.Any()).
			Do(func(context.Context, ports.Message) { rec("store") }).Return("id", nil).MaxTimes(1)
		d.box.EXPECT().Discard(gomock.Any(), gomock.Any(), reset.ReasonUnknownUser, now).
			Do(func(context.Context, ports.Message, string, time.Time) { rec("store") }).Return("id", nil).MaxTimes(1)
		if err := s.Send(context.Background(), reset.Lookup{Value: login}); err != nil {
			t.Fatal(err)
		}
		return calls
	}
	known, unknown := trace("alice", true), trace("mallory", false)
	if strings.Join(known, ",") != strings.Join(unknown, ",") || len(known) != 5 {
		t.Fatalf("known user: %v\nunknown user: %v", known, unknown)
	}
}

func TestLimiterDownIsAnError(t *testing.T) {
	s, d := newSender(t, limited, reset.DefaultTemplates(reset.KindResetLink), func(d senderDeps) {
		d.limiter.EXPECT().Allow(gomock.Any(), gomock.Any(), gomock.Any(), gomock.Any(), gomock.Any()).
			Return(false, time.Duration(0), ports.ErrUnavailable)
	})
	d.users.EXPECT().FindByLogin(gomock.Any(), "alice").Return(alice, nil)
	if err := s.Send(context.Background(), reset.Lookup{Value: "alice"}); !errors.Is(err, ports.ErrUnavailable) {
		t.Fatalf("Send = %v", err)
	}
}
