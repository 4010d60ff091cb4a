package reset_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
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
	for _, reason := range []string{reset.ReasonCooldown, reset.ReasonDailyCap, reset.ReasonGlobalCap} {
		t.Run(reason, func(t *testing.T) {
			s, d := newSender(t, limited, reset.DefaultTemplates(reset.KindResetLink), func(d senderDeps) {
				traceLimiter(d, map[string]error{limitKeys[reason]: errRefused})
			})
			d.users.EXPECT().FindByLogin(gomock.Any(), "alice").Return(alice, nil)
			d.box.EXPECT().Discard(gomock.Any(), gomock.Any(), reason, now).DoAndReturn(
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

// The limiter keys of alice's links, by the reason a refusal on each gives.
var limitKeys = map[string]string{
	reset.ReasonCooldown:  "reset_link:cooldown:" + alice.ID,
	reset.ReasonDailyCap:  "reset_link:user:" + alice.ID,
	reset.ReasonGlobalCap: "reset_link:global",
}

// errRefused, given to traceLimiter for a key, makes AllowAll refuse it.
var errRefused = errors.New("refused")

// traceLimiter makes d's limiter allow every key but those of outcome (refused, or
// failing with the error given), and returns the calls it gets, in order, as
// "AllowAll <key> <key>..." and "Undo <key>"; an Undo at another time than now, or
// with a cancelled context, is marked as such. AllowAll refuses the first limit
// refused in the order given, as the limiters do, and fails if any key fails.
func traceLimiter(d senderDeps, outcome map[string]error) *[]string {
	calls := &[]string{}
	d.limiter.EXPECT().AllowAll(gomock.Any(), gomock.Any(), gomock.Any()).DoAndReturn(
		func(_ context.Context, limits []ports.Limit, _ time.Time) (int, time.Duration, error) {
			call := "AllowAll"
			for _, l := range limits {
				call += " " + l.Key
			}
			*calls = append(*calls, call)
			for i, l := range limits {
				switch err := outcome[l.Key]; err {
				case nil:
				case errRefused:
					return i, time.Minute, nil
				default:
					return 0, 0, err
				}
			}
			return -1, 0, nil
		}).AnyTimes()
	d.limiter.EXPECT().Allow(gomock.Any(), gomock.Any(), gomock.Any(), gomock.Any(), gomock.Any()).DoAndReturn(
		func(_ context.Context, key string, _ int, _ time.Duration, _ time.Time) (bool, time.Duration, error) {
			*calls = append(*calls, "Allow "+key)
			return outcome[key] == nil, 0, nil
		}).AnyTimes()
	d.limiter.EXPECT().Undo(gomock.Any(), gomock.Any(), gomock.Any()).DoAndReturn(
		func(ctx context.Context, key string, at time.Time) error {
			call := "Undo " + key
			if !at.Equal(now) {
				call += " at another time"
			}
			if ctx.Err() != nil {
				call += " cancelled"
			}
			*calls = append(*calls, call)
			return nil
		}).AnyTimes()
	return calls
}

// TestOnlyLinksThatGoOutCount: the user's own limits are checked before the cap all
// users share, in one call that records the link against all of them or none, and
// whatever makes a counted request fail takes back what was counted for it, even
// when the client has gone. So requests the daily cap stops do not use up the
// hourly cap, a refusal of the hourly cap does not use up the user's day, and the
// retry of a failed request is not held back.
func TestOnlyLinksThatGoOutCount(t *testing.T) {
	cool, user, global := limitKeys[reset.ReasonCooldown], limitKeys[reset.ReasonDailyCap], limitKeys[reset.ReasonGlobalCap]
	all := "AllowAll " + cool + " " + user + " " + global
	cases := []struct {
		name    string
		outcome map[string]error
		queue   error // the outbox insert's outcome, if it comes to that
		want    []string
		wantErr error
	}{
		{"sent", nil, nil, []string{all}, nil},
		{"cooldown", map[string]error{cool: errRefused}, nil, []string{all}, nil},
		{"daily cap", map[string]error{user: errRefused}, nil, []string{all}, nil},
		{"hourly cap", map[string]error{global: errRefused}, nil, []string{all}, nil},
		{"outbox down", nil, ports.ErrUnavailable,
			[]string{all, "Undo " + global, "Undo " + user, "Undo " + cool}, ports.ErrUnavailable},
		// The events may have been recorded all the same, the reply lost.
		{"limiter down", map[string]error{global: ports.ErrUnavailable}, nil,
			[]string{all, "Undo " + global, "Undo " + user, "Undo " + cool}, ports.ErrUnavailable},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var calls *[]string
			s, d := newSender(t, limited, reset.DefaultTemplates(reset.KindResetLink), func(d senderDeps) {
				calls = traceLimiter(d, c.outcome)
			})
			ctx, hangUp := context.WithCancel(context.Background())
			defer hangUp()
			d.users.EXPECT().FindByLogin(gomock.Any(), "alice").Return(alice, nil)
			d.box.EXPECT().Discard(gomock.Any(), gomock.Any(), gomock.Any(), now).Return("id", nil).AnyTimes()
			d.mailer.EXPECT().Send(gomock.Any(), gomock.Any()).DoAndReturn(func(context.Context, ports.Message) (string, error) {
				hangUp() // the client gives up while the outbox is down
				return "", c.queue
			}).AnyTimes()
			if err := s.Send(ctx, reset.Lookup{Value: "alice"}); !errors.Is(err, c.wantErr) || (c.wantErr == nil && err != nil) {
				t.Fatalf("Send = %v, want %v", err, c.wantErr)
			}
			if !slices.Equal(*calls, c.want) {
				t.Fatalf("limiter calls:\n  %s\nwant\n  %s", strings.Join(*calls, "\n  "), strings.Join(c.want, "\n  "))
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
			d.limiter.EXPECT().AllowAll(gomock.Any(), gomock.Any(), gomock.Any()).
				Do(func(_ context.Context, limits []ports.Limit, _ time.Time) {
					rec(fmt.Sprintf("AllowAll of %d", len(limits)))
				}).
				Return(-1, time.Duration(0), nil)
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
	if strings.Join(known, ",") != strings.Join(unknown, ",") || len(known) != 3 {
		t.Fatalf("known user: %v\nunknown user: %v", known, unknown)
	}
}

func TestLimiterDownIsAnError(t *testing.T) {
	s, d := newSender(t, limited, reset.DefaultTemplates(reset.KindResetLink), func(d senderDeps) {
		d.limiter.EXPECT().AllowAll(gomock.Any(), gomock.Any(), gomock.Any()).Return(0, time.Duration(0), ports.ErrUnavailable)
	})
	d.users.EXPECT().FindByLogin(gomock.Any(), "alice").Return(alice, nil)
	if err := s.Send(context.Background(), reset.Lookup{Value: "alice"}); !errors.Is(err, ports.ErrUnavailable) {
		t.Fatalf("Send = %v", err)
	}
}

// TestFailedOperatorLinkTakesBackItsLink: an operator's link (send-link, outbox
// retry) whose outbox insert fails takes back the link it recorded, which would
// otherwise kill the user's older links.
func TestFailedOperatorLinkTakesBackItsLink(t *testing.T) {
	var calls *[]string
	s, d := newSender(t, limited, reset.DefaultTemplates(reset.KindResetLink), func(d senderDeps) {
		calls = traceLimiter(d, nil)
	})
	d.users.EXPECT().FindByID(gomock.Any(), alice.ID).Return(alice, nil)
	d.mailer.EXPECT().Send(gomock.Any(), gomock.Any()).Return("", ports.ErrUnavailable)
	if _, err := s.SendLink(context.Background(), reset.Target{UserID: alice.ID}); !errors.Is(err, ports.ErrUnavailable) {
		t.Fatalf("SendLink = %v, want ErrUnavailable", err)
	}
	user := limitKeys[reset.ReasonDailyCap]
	if want := []string{"Allow " + user, "Undo " + user}; !slices.Equal(*calls, want) {
		t.Fatalf("limiter calls %q, want %q", *calls, want)
	}
}
