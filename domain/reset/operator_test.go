package reset_test

import (
	"context"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/mock/gomock"

	"github.com/pwreset/pwreset/domain/audit"
	"github.com/pwreset/pwreset/domain/link"
	"github.com/pwreset/pwreset/domain/reset"
	"github.com/pwreset/pwreset/mocks"
	"github.com/pwreset/pwreset/ports"
)

// eventLog records the audit events.
type eventLog []ports.Event

func (e *eventLog) Observe(ev ports.Event) { *e = append(*e, ev) }

// operatorSender is a sender whose limiter refuses everything: an operator's link
// must go out all the same. It expects no call the test did not ask for.
func operatorSender(t *testing.T, cfg reset.Config) (*reset.LinkSender, senderDeps, *eventLog) {
	ctrl := gomock.NewController(t)
	d := senderDeps{mocks.NewMockUserStore(ctrl), mocks.NewMockMailer(ctrl), mocks.NewMockOutbox(ctrl),
		mocks.NewMockRateLimiter(ctrl), mocks.NewMockClock(ctrl)}
	d.clock.EXPECT().Now().Return(now).AnyTimes()
	events := &eventLog{}
	log := audit.New(nil).WithObserver(events)
	s := reset.NewLinkSender(cfg, d.users, d.mailer, d.box, d.limiter, link.NewSigner(key, cfg.OneTimeUse), d.clock,
		reset.DefaultEmails(), log)
	return s, d, events
}

// expectRecorded expects the link to be recorded as the user's latest, once, and
// refuses it as a self-service request would be refused.
func expectRecorded(d senderDeps, userID string) {
	d.limiter.EXPECT().Allow(gomock.Any(), "reset_link:user:"+userID, gomock.Any(), 24*time.Hour, now).
		Return(false, time.Hour, nil)
}

// expectAlice expects alice to be looked up as target names her, and her link
// recorded.
func expectAlice(d senderDeps, target reset.Target) {
	if target.Login != "" {
		d.users.EXPECT().FindByLogin(gomock.Any(), "alice").Return(alice, nil)
	} else {
		d.users.EXPECT().FindByID(gomock.Any(), alice.ID).Return(alice, nil)
	}
	expectRecorded(d, alice.ID)
}

func TestIssueLinkPrintsAValidLinkAndSendsNothing(t *testing.T) {
	for _, target := range []reset.Target{{Login: "alice"}, {UserID: alice.ID}} {
		t.Run(target.String(), func(t *testing.T) {
			s, d, events := operatorSender(t, config)
			expectAlice(d, target)
			raw, err := s.IssueLink(context.Background(), target)
			if err != nil {
				t.Fatal(err)
			}
			u, err := url.Parse(raw)
			if err != nil {
				t.Fatal(err)
			}
			q := u.Query()
			ts, _ := strconv.ParseInt(q.Get("timestamp"), 10, 64)
			claims := link.Claims{UserID: q.Get("user_id"), Timestamp: ts, PasswordHash: alice.PasswordHash}
			if claims.UserID != alice.ID || ts != now.Unix() || !link.NewSigner(key, false).Verify(claims, q.Get("signature")) {
				t.Errorf("link %s does not verify for alice", raw)
			}
			if len(*events) != 1 || (*events)[0].Name != "reset_link.issued_by_operator" {
				t.Errorf("audit events %v, want one reset_link.issued_by_operator", *events)
			}
		})
	}
}

func TestSendLinkQueuesDespiteTheLimits(t *testing.T) {
	for _, target := range []reset.Target{{Login: "alice"}, {UserID: alice.ID}} {
		t.Run(target.String(), func(t *testing.T) {
			s, d, events := operatorSender(t, config)
			expectAlice(d, target)
			d.mailer.EXPECT().Send(gomock.Any(), gomock.Any()).DoAndReturn(func(_ context.Context, m ports.Message) (string, error) {
				if m.Kind != reset.KindResetLink || m.To != alice.Email || m.UserID != alice.ID ||
					!strings.Contains(m.Text, "user_id="+alice.ID) {
					t.Errorf("message %+v", m)
				}
				return "outbox-1", nil
			})
			id, err := s.SendLink(context.Background(), target)
			if err != nil || id != "outbox-1" {
				t.Fatalf("SendLink = %q, %v", id, err)
			}
			if len(*events) != 1 || (*events)[0].Name != "reset_link.issued_by_operator" {
				t.Errorf("audit events %v, want one reset_link.issued_by_operator", *events)
			}
		})
	}
}

// Nothing is recorded, queued or audited when no link can go out.
func TestOperatorLinkRefusals(t *testing.T) {
	disabled := config
	disabled.Enabled = false
	noMail := alice
	noMail.Email = ""
	for _, c := range []struct {
		name string
		cfg  reset.Config
		user ports.User
		err  error
		want error
	}{
		{"unknown user", config, ports.User{}, ports.ErrUserNotFound, reset.ErrUserNotFound},
		{"no e-mail", config, noMail, nil, reset.ErrNoEmail},
		{"store down", config, ports.User{}, ports.ErrUnavailable, ports.ErrUnavailable},
		{"disabled", disabled, alice, nil, reset.ErrDisabled},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, d, events := operatorSender(t, c.cfg)
			if c.cfg.Enabled {
				d.users.EXPECT().FindByLogin(gomock.Any(), "alice").Return(c.user, c.err).AnyTimes()
			}
			_, err := s.SendLink(context.Background(), reset.Target{Login: "alice"})
			if !errors.Is(err, c.want) {
				t.Errorf("SendLink: %v, want %v", err, c.want)
			}
			if c.want != reset.ErrNoEmail {
				if _, err := s.IssueLink(context.Background(), reset.Target{Login: "alice"}); !errors.Is(err, c.want) {
					t.Errorf("IssueLink: %v, want %v", err, c.want)
				}
			}
			if len(*events) != 0 {
				t.Errorf("audit events %v for a refused link", *events)
			}
		})
	}
}

// An operator's link that cannot be recorded as the user's latest is neither
// printed nor queued: it would outlive the older links it should have killed.
func TestOperatorLinkIsNotIssuedUnrecorded(t *testing.T) {
	s, d, events := operatorSender(t, config)
	d.users.EXPECT().FindByLogin(gomock.Any(), "alice").Return(alice, nil).Times(2)
	d.limiter.EXPECT().Allow(gomock.Any(), "reset_link:user:"+alice.ID, gomock.Any(), 24*time.Hour, now).
		Return(false, time.Duration(0), ports.ErrUnavailable).Times(2)
	d.limiter.EXPECT().Undo(gomock.Any(), "reset_link:user:"+alice.ID, now).Return(nil).Times(2)
	if url, err := s.IssueLink(context.Background(), reset.Target{Login: "alice"}); !errors.Is(err, ports.ErrUnavailable) || url != "" {
		t.Errorf("IssueLink = %q, %v; want no link, ErrUnavailable", url, err)
	}
	if id, err := s.SendLink(context.Background(), reset.Target{Login: "alice"}); !errors.Is(err, ports.ErrUnavailable) || id != "" {
		t.Errorf("SendLink = %q, %v; want nothing queued, ErrUnavailable", id, err)
	}
	if len(*events) != 0 {
		t.Errorf("audit events %v for links that did not go out", *events)
	}
}

// An operator's link carries the time it was recorded as the user's latest, even
// when the clock moves on in between: dated earlier, it would be dead on arrival
// where older links die (RESET_PASSWORD_INVALIDATE_OLDER_LINKS).
func TestOperatorLinksAreDatedAsRecorded(t *testing.T) {
	ctrl := gomock.NewController(t)
	d := senderDeps{mocks.NewMockUserStore(ctrl), mocks.NewMockMailer(ctrl), mocks.NewMockOutbox(ctrl),
		mocks.NewMockRateLimiter(ctrl), mocks.NewMockClock(ctrl)}
	tick := now
	d.clock.EXPECT().Now().DoAndReturn(func() time.Time { tick = tick.Add(time.Second); return tick }).AnyTimes()
	s := reset.NewLinkSender(config, d.users, d.mailer, d.box, d.limiter, link.NewSigner(key, config.OneTimeUse), d.clock,
		reset.DefaultEmails(), audit.New(nil))
	d.users.EXPECT().FindByLogin(gomock.Any(), "alice").Return(alice, nil).Times(2)
	var recorded []int64
	d.limiter.EXPECT().Allow(gomock.Any(), "reset_link:user:"+alice.ID, gomock.Any(), 24*time.Hour, gomock.Any()).
		DoAndReturn(func(_ context.Context, _ string, _ int, _ time.Duration, at time.Time) (bool, time.Duration, error) {
			recorded = append(recorded, at.Unix())
			return true, 0, nil
		}).Times(2)
	sent := expectMail(d.mailer, "outbox-1")
	printed, err := s.IssueLink(context.Background(), reset.Target{Login: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SendLink(context.Background(), reset.Target{Login: "alice"}); err != nil {
		t.Fatal(err)
	}
	for i, raw := range []string{printed, sent.Text} {
		if want := "timestamp=" + strconv.FormatInt(recorded[i], 10) + "&"; !strings.Contains(raw, want) {
			t.Errorf("link %d is not dated as recorded (%s): %s", i+1, want, raw)
		}
	}
}
