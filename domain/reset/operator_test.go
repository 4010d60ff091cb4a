package reset_test

import (
	"context"
	"errors"
	"math"
	"net/url"
	"slices"
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

// operatorSender is a sender that expects no call the test did not ask for.
func operatorSender(t *testing.T, cfg reset.Config) (*reset.LinkSender, senderDeps, *eventLog) {
	ctrl := gomock.NewController(t)
	d := senderDeps{mocks.NewMockUserStore(ctrl), mocks.NewMockOutbox(ctrl), mocks.NewMockClock(ctrl)}
	d.clock.EXPECT().Now().Return(now).AnyTimes()
	events := &eventLog{}
	log := audit.New(nil).WithObserver(events)
	s := reset.NewLinkSender(reset.LinkSenderDeps{Config: cfg, Users: d.users, Outbox: d.queue,
		Signer: link.NewSigner(key, cfg.OneTimeUse), Clock: d.clock, Emails: reset.DefaultEmails(), Audit: log})
	return s, d, events
}

// operatorLimits are those of an operator's link to alice: it counts as her latest
// and toward her daily cap, and nothing holds it back.
var operatorLimits = []ports.Limit{{Key: "reset_link:user:" + alice.ID, Max: math.MaxInt32, Window: 24 * time.Hour,
	Reason: reset.ReasonDailyCap}}

// expectAlice expects alice to be looked up as target names her, and her link
// stored with the operator's limits, suppressed as suppress says; it returns where
// the message will be once stored.
func expectAlice(t *testing.T, d senderDeps, target reset.Target, suppress string) *ports.Message {
	if target.Login != "" {
		d.users.EXPECT().FindByLogin(gomock.Any(), "alice").Return(alice, nil)
	} else {
		d.users.EXPECT().FindByID(gomock.Any(), alice.ID).Return(alice, nil)
	}
	var sent ports.Message
	d.queue.EXPECT().AddLimited(gomock.Any(), gomock.Any(), now).DoAndReturn(
		func(_ context.Context, m ports.LimitedMessage, _ time.Time) (string, int, error) {
			if !slices.Equal(m.Limits, operatorLimits) || m.Suppress != suppress {
				t.Errorf("stored with limits %+v, suppressed %q; want %+v, %q", m.Limits, m.Suppress, operatorLimits, suppress)
			}
			sent = m.Message
			return "outbox-1", -1, nil
		})
	return &sent
}

func TestIssueLinkPrintsAValidLinkAndSendsNothing(t *testing.T) {
	for _, target := range []reset.Target{{Login: "alice"}, {UserID: alice.ID}} {
		t.Run(target.String(), func(t *testing.T) {
			s, d, events := operatorSender(t, config)
			expectAlice(t, d, target, reset.ReasonPrinted)
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
			m := expectAlice(t, d, target, "")
			id, err := s.SendLink(context.Background(), target)
			if err != nil || id != "outbox-1" {
				t.Fatalf("SendLink = %q, %v", id, err)
			}
			if m.Kind != reset.KindResetLink || m.To != alice.Email || m.UserID != alice.ID ||
				!strings.Contains(m.Text, "user_id="+alice.ID) {
				t.Errorf("message %+v", *m)
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

// An operator's link that cannot be stored with its count as the user's latest is
// neither printed nor queued: it would outlive the older links it should have
// killed. Nothing else is called: there is nothing to take back.
func TestOperatorLinkIsNotIssuedUnrecorded(t *testing.T) {
	s, d, events := operatorSender(t, config)
	d.users.EXPECT().FindByLogin(gomock.Any(), "alice").Return(alice, nil).Times(2)
	d.queue.EXPECT().AddLimited(gomock.Any(), gomock.Any(), now).Return("", 0, ports.ErrUnavailable).Times(2)
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
	d := senderDeps{mocks.NewMockUserStore(ctrl), mocks.NewMockOutbox(ctrl), mocks.NewMockClock(ctrl)}
	tick := now
	d.clock.EXPECT().Now().DoAndReturn(func() time.Time { tick = tick.Add(time.Second); return tick }).AnyTimes()
	s := reset.NewLinkSender(reset.LinkSenderDeps{Config: config, Users: d.users, Outbox: d.queue,
		Signer: link.NewSigner(key, config.OneTimeUse), Clock: d.clock, Emails: reset.DefaultEmails(),
		Audit: audit.New(nil)})
	d.users.EXPECT().FindByLogin(gomock.Any(), "alice").Return(alice, nil).Times(2)
	var recorded []int64
	var sent []string
	d.queue.EXPECT().AddLimited(gomock.Any(), gomock.Any(), gomock.Any()).DoAndReturn(
		func(_ context.Context, m ports.LimitedMessage, at time.Time) (string, int, error) {
			recorded, sent = append(recorded, at.Unix()), append(sent, m.Message.Text)
			return "outbox-1", -1, nil
		}).Times(2)
	printed, err := s.IssueLink(context.Background(), reset.Target{Login: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SendLink(context.Background(), reset.Target{Login: "alice"}); err != nil {
		t.Fatal(err)
	}
	for i, raw := range []string{printed, sent[1]} {
		if want := "timestamp=" + strconv.FormatInt(recorded[i], 10) + "&"; !strings.Contains(raw, want) {
			t.Errorf("link %d is not dated as recorded (%s): %s", i+1, want, raw)
		}
	}
}
