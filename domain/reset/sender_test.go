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

var (
	now   = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	key   = []byte("0123456789abcdef0123456789abcdef")
	alice = ports.User{ID: "65a1b2c3d4e5f60718293a4b", Email: "alice@example.com", PasswordHash: "old-hash",
		Logins: []ports.Field{{Name: "username", Value: "alice"}}}
	config = reset.Config{Enabled: true, FailWhenUserNotFound: true, Period: 24 * time.Hour,
		URL: "https://frontend-host/reset-password/", From: "noreply@example.com"}
)

type senderDeps struct {
	users *mocks.MockUserStore
	queue *mocks.MockOutbox // the queue the sender stores its e-mails through
	clock *mocks.MockClock
}

// newSender returns a sender whose dependencies are mocks that expect no call the
// test did not ask for, but the clock's, which reads now.
func newSender(t *testing.T, cfg reset.Config, tpl *reset.Templates) (*reset.LinkSender, senderDeps) {
	ctrl := gomock.NewController(t)
	d := senderDeps{mocks.NewMockUserStore(ctrl), mocks.NewMockOutbox(ctrl), mocks.NewMockClock(ctrl)}
	d.clock.EXPECT().Now().Return(now).AnyTimes()
	emails := reset.DefaultEmails()
	emails.Link = tpl
	return reset.NewLinkSender(reset.LinkSenderDeps{Config: cfg, Users: d.users, Outbox: d.queue,
		Signer: link.NewSigner(key, cfg.OneTimeUse), Clock: d.clock, Emails: emails, Audit: audit.New(nil)}), d
}

func TestSendMailsASignedLink(t *testing.T) {
	s, d := newSender(t, config, reset.DefaultTemplates(reset.KindResetLink))
	d.users.EXPECT().FindByLogin(gomock.Any(), "alice").Return(alice, nil)
	sent := expectMail(d.queue, "id-1")
	if err := s.Send(context.Background(), reset.Lookup{Value: "alice"}); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if sent.To != alice.Email || sent.From != config.From || sent.Subject != "Reset your pwreset password" ||
		sent.Kind != reset.KindResetLink || !strings.Contains(sent.HTML, `<html lang="en">`) {
		t.Fatalf("message = %+v", sent)
	}
	prefix := "We received a request to reset the password of your pwreset account. To choose a new password, open this link:\n\n"
	rest, ok := strings.CutPrefix(sent.Text, prefix)
	if !ok || !strings.HasSuffix(sent.Text, "\n") {
		t.Fatalf("text = %q", sent.Text)
	}
	line, _, _ := strings.Cut(rest, "\n")
	u, err := url.Parse(line)
	if err != nil || u.Host != "frontend-host" || u.Path != "/reset-password/" {
		t.Fatalf("link %v, %v", u, err)
	}
	q := u.Query()
	ts, _ := strconv.ParseInt(q.Get("timestamp"), 10, 64)
	c := link.Claims{UserID: q.Get("user_id"), Timestamp: ts}
	if c.UserID != alice.ID || ts != now.Unix() || !link.NewSigner(key, false).Verify(c, q.Get("signature")) {
		t.Fatalf("link query %v does not carry a valid signature for alice now", q)
	}
}

func TestSendByEmail(t *testing.T) {
	s, d := newSender(t, config, reset.DefaultTemplates(reset.KindResetLink))
	d.users.EXPECT().FindByEmail(gomock.Any(), "alice@example.com").Return(alice, nil)
	expectMail(d.queue, "id")
	if err := s.Send(context.Background(), reset.Lookup{Value: "alice@example.com", ByEmail: true}); err != nil {
		t.Fatalf("Send: %v", err)
	}
}

func TestSendToNobody(t *testing.T) {
	noEmail := alice
	noEmail.Email = ""
	cases := []struct {
		name    string
		reveal  bool
		user    ports.User
		findErr error
		want    error
	}{
		{"unknown, revealed", true, ports.User{}, ports.ErrUserNotFound, reset.ErrUserNotFound},
		{"unknown, discreet", false, ports.User{}, ports.ErrUserNotFound, nil},
		{"no e-mail, revealed", true, noEmail, nil, reset.ErrUserNotFound},
		{"no e-mail, discreet", false, noEmail, nil, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := config
			cfg.FailWhenUserNotFound = c.reveal
			s, d := newSender(t, cfg, reset.DefaultTemplates(reset.KindResetLink))
			d.users.EXPECT().FindByLogin(gomock.Any(), "x").Return(c.user, c.findErr)
			if !c.reveal {
				// Not revealing, the unknown path does the known one's work: it stores
				// the message it will not send, suppressed.
				d.queue.EXPECT().AddLimited(gomock.Any(), gomock.Any(), now).DoAndReturn(
					func(_ context.Context, m ports.LimitedMessage, _ time.Time) (string, int, error) {
						if m.Suppress == "" {
							t.Errorf("a link to nobody stored to be sent: %+v", m)
						}
						return "id", -1, nil
					})
			}
			// Nothing else is expected: the mocks fail the test if it happens.
			if err := s.Send(context.Background(), reset.Lookup{Value: "x"}); !errors.Is(err, c.want) || (c.want == nil && err != nil) {
				t.Fatalf("Send = %v, want %v", err, c.want)
			}
		})
	}
}

func TestSendPassesFailuresOn(t *testing.T) {
	s, d := newSender(t, config, reset.DefaultTemplates(reset.KindResetLink))
	d.users.EXPECT().FindByLogin(gomock.Any(), "alice").Return(ports.User{}, ports.ErrUnavailable)
	if err := s.Send(context.Background(), reset.Lookup{Value: "alice"}); !errors.Is(err, ports.ErrUnavailable) {
		t.Fatalf("store down: Send = %v", err)
	}
	d.users.EXPECT().FindByLogin(gomock.Any(), "alice").Return(alice, nil)
	d.queue.EXPECT().AddLimited(gomock.Any(), gomock.Any(), now).Return("", 0, ports.ErrUnavailable)
	if err := s.Send(context.Background(), reset.Lookup{Value: "alice"}); !errors.Is(err, ports.ErrUnavailable) {
		t.Fatalf("outbox down: Send = %v", err)
	}
}

func TestSendWithCustomTemplates(t *testing.T) {
	tpl, err := reset.ParseTemplates(reset.KindResetLink, reset.TemplateSources{
		Subject: "Hello {{.username}},\nreset your password",
		Text:    "{{.email}}: {{.verification_url}}",
		HTML:    `<a href="{{.verification_url}}">{{.username}}</a>{{.missing}}`,
	})
	if err != nil {
		t.Fatal(err)
	}
	s, d := newSender(t, config, tpl)
	bob := ports.User{ID: "7", Email: "bob@example.com", Logins: []ports.Field{{Name: "username", Value: "<bob>"}}}
	d.users.EXPECT().FindByLogin(gomock.Any(), "bob").Return(bob, nil)
	sent := expectMail(d.queue, "")
	if err := s.Send(context.Background(), reset.Lookup{Value: "bob"}); err != nil {
		t.Fatal(err)
	}
	if sent.Subject != "Hello <bob>, reset your password" {
		t.Errorf("subject = %q", sent.Subject)
	}
	if !strings.HasPrefix(sent.Text, "bob@example.com: https://frontend-host/reset-password/?user_id=7&") {
		t.Errorf("text = %q", sent.Text)
	}
	if !strings.HasPrefix(sent.HTML, `<a href="https://frontend-host/reset-password/?user_id=7&amp;timestamp=`) ||
		!strings.HasSuffix(sent.HTML, ">&lt;bob&gt;</a>") {
		t.Errorf("html = %q", sent.HTML)
	}
}

func TestParseTemplatesRefusesBrokenOnes(t *testing.T) {
	for _, src := range []reset.TemplateSources{{Subject: "{{"}, {Text: "{{.x"}, {HTML: "{{end}}"}} {
		if _, err := reset.ParseTemplates(reset.KindResetLink, src); err == nil {
			t.Errorf("ParseTemplates(%+v) accepted a broken template", src)
		}
	}
}
