package app_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pwreset/pwreset/adapters/memory"
	"github.com/pwreset/pwreset/app"
	"github.com/pwreset/pwreset/domain/audit"
	"github.com/pwreset/pwreset/domain/link"
	"github.com/pwreset/pwreset/domain/outbox"
	"github.com/pwreset/pwreset/domain/reset"
	"github.com/pwreset/pwreset/ports"
)

// movingClock advances by step each time it is read, so that a wait can run out.
type movingClock struct {
	mu   sync.Mutex
	now  time.Time
	step time.Duration
}

func (c *movingClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(c.step)
	return c.now
}

// supportTool returns the support commands over memory stores holding dora, whose
// clock moves by step at each reading; MAIL_MAX_AGE is 30 minutes.
func supportTool(t *testing.T, step time.Duration) (*app.SupportTool, *memory.Outbox) {
	t.Helper()
	clock := &movingClock{now: time.Unix(1_700_000_000, 0), step: step}
	box := memory.NewOutbox()
	users := memory.NewUserStore([]string{"username"}, ports.User{ID: "7", Email: "dora@example.com",
		Logins: []ports.Field{{Name: "username", Value: "dora"}}})
	cfg := reset.Config{Enabled: true, Period: 24 * time.Hour, URL: "https://frontend.example/reset/", From: "noreply@example.com"}
	sender := reset.NewLinkSender(reset.LinkSenderDeps{Config: cfg, Users: users, Outbox: outbox.NewQueue(box, nil),
		Signer: link.NewSigner([]byte("0123456789abcdef0123456789abcdef"), false), Clock: clock,
		Emails: reset.DefaultEmails(), Audit: audit.New(nil)})
	return app.NewSupportTool(app.Config{Outbox: app.OutboxSettings{MaxAge: 30 * time.Minute}}, sender, box, clock), box
}

// deliver settles the one message of box as a dispatcher would: sent, or failed.
func deliver(t *testing.T, box *memory.Outbox, fail bool) {
	ctx := context.Background()
	for {
		env, err := box.Claim(ctx, "worker", time.Unix(1_800_000_000, 0), time.Minute)
		if errors.Is(err, ports.ErrNothingDue) {
			time.Sleep(10 * time.Millisecond)
			continue
		}
		if err != nil {
			t.Error(err)
			return
		}
		if fail {
			err = box.MarkFailed(ctx, env.ID, "worker", "550 mailbox unavailable", time.Unix(1_800_000_000, 0))
		} else {
			err = box.MarkSent(ctx, env.ID, "worker", "sg-1", time.Unix(1_800_000_000, 0))
		}
		if err != nil {
			t.Error(err)
		}
		return
	}
}

func TestSendLinkWaitReportsTheDelivery(t *testing.T) {
	for _, c := range []struct {
		name   string
		fail   bool
		out    string
		failed bool
	}{
		{"sent", false, "sent to dora@example.com at 2027-01-15T08:00:00Z after 1 attempt(s), provider id sg-1", false},
		{"failed", true, "", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			tool, box := supportTool(t, 0) // waits for ever, unless delivered
			go deliver(t, box, c.fail)
			var out bytes.Buffer
			err := tool.SendLink(context.Background(), &out, reset.Target{Login: "dora"}, true)
			if c.failed {
				if !errors.Is(err, app.ErrNotDelivered) || !strings.Contains(err.Error(), "550 mailbox unavailable") {
					t.Errorf("SendLink = %v, want ErrNotDelivered with the reason", err)
				}
				return
			}
			if err != nil || !strings.Contains(out.String(), c.out) {
				t.Errorf("SendLink = %v, output %q, want %q", err, out.String(), c.out)
			}
		})
	}
}

// Nobody delivers: the wait ends after MAIL_MAX_AGE, and says what to check.
func TestSendLinkWaitGivesUpAfterMaxAge(t *testing.T) {
	tool, _ := supportTool(t, 10*time.Minute)
	var out bytes.Buffer
	err := tool.SendLink(context.Background(), &out, reset.Target{Login: "dora"}, true)
	if !errors.Is(err, app.ErrNotDelivered) || !strings.Contains(err.Error(), "is a `pwreset serve` running") {
		t.Errorf("SendLink = %v", err)
	}
	if !strings.HasPrefix(out.String(), "queued login dora (outbox id ") {
		t.Errorf("output %q", out.String())
	}
}

func TestLinkOfAnUnknownUserQueuesNothing(t *testing.T) {
	tool, box := supportTool(t, 0)
	var out bytes.Buffer
	if err := tool.Link(context.Background(), &out, reset.Target{Login: "nobody"}); !errors.Is(err, reset.ErrUserNotFound) {
		t.Errorf("Link = %v, want ErrUserNotFound", err)
	}
	if err := tool.SendLink(context.Background(), &out, reset.Target{UserID: "8"}, true); !errors.Is(err, reset.ErrUserNotFound) {
		t.Errorf("SendLink = %v, want ErrUserNotFound", err)
	}
	st, err := box.Stats(context.Background())
	total := 0
	for _, n := range st.Counts {
		total += n
	}
	if err != nil || out.Len() != 0 || total != 0 {
		t.Errorf("after refusals: output %q, outbox %v %v", out.String(), st, err)
	}
}
