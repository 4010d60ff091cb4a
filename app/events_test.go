package app_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pwreset/pwreset/adapters/memory"
	"github.com/pwreset/pwreset/adapters/system"
	"github.com/pwreset/pwreset/adapters/webhook/webhooktest"
	"github.com/pwreset/pwreset/app"
	"github.com/pwreset/pwreset/domain/audit"
	"github.com/pwreset/pwreset/domain/event"
	"github.com/pwreset/pwreset/domain/outbox"
	"github.com/pwreset/pwreset/domain/reset"
	"github.com/pwreset/pwreset/ports"
)

// awaitEvents bounds the waits of these tests; it only ends a test that is broken.
const awaitEvents = 2 * time.Minute

// eventsRig is the service's outbox, provider and dispatcher as app assembles
// them from the configuration, in demo mode, delivering to a local receiver.
type eventsRig struct {
	cfg  app.Config
	box  *memory.Outbox
	d    *outbox.Dispatcher
	out  *bytes.Buffer
	stop func()
	ids  []string // outbox ids of the events add stored
}

func startEvents(t *testing.T, r *webhooktest.Receiver, extra ...string) *eventsRig {
	t.Helper()
	env := append([]string{"EVENTS_URL=" + r.URL, "EVENTS_SECRET=" + r.Secret,
		"EVENTS_TYPES=password.changed,reset_link.sent,reset_link.failed", "EVENTS_TIMEOUT=300ms",
		"SENDGRID_TIMEOUT=300ms", "MAIL_LEASE=2s", "MAIL_RETRY_MIN=10ms", "MAIL_RETRY_MAX=50ms",
		"OUTBOX_POLL_INTERVAL=20ms"}, extra...)
	cfg, err := app.Load(env)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	out := &bytes.Buffer{}
	p, err := app.ProvideMailProvider(cfg, app.Output{Writer: io.Discard}, app.Tracing{})
	if err != nil {
		t.Fatalf("ProvideMailProvider: %v", err)
	}
	log := slog.New(slog.NewTextHandler(out, nil))
	box := memory.NewOutbox()
	d := app.ProvideDispatcher(cfg, box, p, system.NewClock(), log, audit.New(log))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = d.Run(ctx) }()
	rig := &eventsRig{cfg: cfg, box: box, d: d, out: out, stop: func() { cancel(); <-done }}
	t.Cleanup(rig.stop)
	return rig
}

// add stores an event of typ about user, due now, and returns its event id.
func (g *eventsRig) add(t *testing.T, typ, user string) string {
	t.Helper()
	msg, err := event.Message(event.NewID(), typ, user, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	id, err := g.box.Add(context.Background(), msg, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	g.ids = append(g.ids, id)
	g.d.Wake()
	return event.ID(msg)
}

// settled waits until no message is pending or being sent.
func (g *eventsRig) settled(t *testing.T) ports.OutboxStats {
	t.Helper()
	deadline := time.Now().Add(awaitEvents)
	for {
		st, err := g.box.Stats(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if st.Counts[ports.StatePending]+st.Counts[ports.StateSending] == 0 {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("the outbox did not settle: %+v", st)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestEventsDeliveredOnce runs events through the service's outbox, router and
// webhook sender to a receiver that is down, then answers 503 and 429 with
// Retry-After, hangs past EVENTS_TIMEOUT, answers 500, and twice takes an event
// and loses the answer. In the end each event arrives exactly once as the
// receiver counts it (the copies it dropped by webhook-id), every signature
// verifies with the library, and a Retry-After was waited out.
func TestEventsDeliveredOnce(t *testing.T) {
	r := webhooktest.Start(t)
	r.Down()
	g := startEvents(t, r)
	var ids []string
	for _, user := range []string{"1", "2", "3", "4"} {
		ids = append(ids, g.add(t, event.PasswordChanged, user))
	}
	// A reset link e-mail, sent through the mail provider, announced as reset_link.sent.
	if _, err := g.box.Add(context.Background(), ports.Message{Kind: reset.KindResetLink, UserID: "5",
		From: "noreply@example.com", To: "five@example.org", Subject: "s", Text: "t"}, time.Now()); err != nil {
		t.Fatal(err)
	}
	g.d.Wake()
	// While the receiver is down, deliveries fail and are retried.
	g.awaitAttempts(t, g.ids[0], 2)

	r.Script(webhooktest.Answer{Status: 503, RetryAfter: "1"}, webhooktest.Answer{Status: 429, RetryAfter: "1"},
		webhooktest.Answer{Hang: true}, webhooktest.Answer{Status: 500},
		webhooktest.Answer{Lost: true}, webhooktest.Answer{Lost: true})
	r.Up(t)
	got, err := r.Await(5, awaitEvents)
	if err != nil {
		t.Fatalf("%v: %d events, stats %+v", err, len(got), r.Stats())
	}
	st := g.settled(t)
	if st.Counts[ports.StateSent] != 6 || st.Counts[ports.StateFailed] != 0 {
		t.Errorf("outbox %+v, want 6 sent (4 events, the e-mail and its event), none failed", st.Counts)
	}
	got = r.Events()
	var seen []string
	for _, ev := range got {
		seen = append(seen, ev.ID)
	}
	for _, id := range ids {
		if !slices.Contains(seen, id) {
			t.Errorf("event %s never arrived", id)
		}
	}
	if len(got) != 5 || !slices.ContainsFunc(got, func(e webhooktest.Event) bool {
		return e.Type == event.LinkSent && e.Data.UserID == "5"
	}) {
		t.Errorf("events %+v, want the 4 password.changed and user 5's reset_link.sent, each once", got)
	}
	stats := r.Stats()
	t.Logf("receiver: %+v", stats)
	if stats.Invalid != 0 || stats.Duplicates < 2 {
		t.Errorf("receiver %+v: want no bad signature, and the copies of both lost answers dropped", stats)
	}
	waitedOut(t, r.Requests(), 429, time.Second)
	waitedOut(t, r.Requests(), 503, time.Second)
	g.stop() // the log is written to the end, as Run returns: the dispatcher logs after it stores
	if strings.Contains(g.out.String(), "five@example.org") {
		t.Error("the log holds the recipient's address")
	}
}

// awaitAttempts waits until the message id was tried n times.
func (g *eventsRig) awaitAttempts(t *testing.T, id string, n int) {
	t.Helper()
	deadline := time.Now().Add(awaitEvents)
	for time.Now().Before(deadline) {
		env, err := g.box.Get(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if env.Attempts >= n {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("message %s was not tried %d times", id, n)
}

// waitedOut checks that the delivery after the one answered status (with a
// Retry-After of wait) came at least wait later.
func waitedOut(t *testing.T, reqs []webhooktest.Request, status int, wait time.Duration) {
	t.Helper()
	for i, q := range reqs {
		if q.Answer.Status != status {
			continue
		}
		for _, next := range reqs[i+1:] {
			if next.ID == q.ID {
				if gap := next.At.Sub(q.At); gap < wait {
					t.Errorf("event %s was sent again %v after a %d asking for %v", q.ID, gap, status, wait)
				}
				return
			}
		}
		t.Errorf("event %s was not sent again after a %d", q.ID, status)
		return
	}
	t.Errorf("no delivery was answered %d", status)
}

// TestEventDeadLetterRequeued: an endpoint that refuses an event for good (410)
// makes it a dead letter at once, which `pwreset outbox` lists with the reason,
// and `pwreset outbox retry` requeues under the id and with the time it had;
// the receiver then takes it, once.
func TestEventDeadLetterRequeued(t *testing.T) {
	ctx := context.Background()
	r := webhooktest.Start(t)
	r.Script(webhooktest.Answer{Status: 410})
	g := startEvents(t, r)
	clock := system.NewClock()

	// The event as a reset holds it (due after the store timeout and a margin),
	// then releases it once the password is written.
	changed := time.Now().UTC().Truncate(time.Second)
	msg, err := event.Message(event.NewID(), event.PasswordChanged, "7", changed)
	if err != nil {
		t.Fatal(err)
	}
	id, err := g.box.Add(ctx, msg, changed.Add(reset.DefaultStoreTimeout+10*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if err := outbox.NewQueue(g.box, g.d).Release(ctx, id, clock.Now()); err != nil {
		t.Fatal(err)
	}
	if st := g.settled(t); st.Counts[ports.StateFailed] != 1 {
		t.Fatalf("outbox %+v, want the refused event failed", st.Counts)
	}

	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	resetter := reset.NewResetter(reset.ResetterDeps{Config: reset.Config{},
		Users: memory.NewUserStore([]string{"username"}), Clock: clock, Outbox: outbox.NewQueue(g.box, g.d),
		Emails: reset.DefaultEmails(), Audit: audit.New(log), Log: log})
	tool := app.NewOutboxTool(g.box, nil, resetter, clock)
	var out bytes.Buffer
	if err := tool.PrintStats(ctx, &out); err != nil {
		t.Fatal(err)
	}
	if want := id + "  event.password.changed  "; !strings.Contains(out.String(), want) ||
		!strings.Contains(out.String(), "events endpoint: Gone") {
		t.Fatalf("pwreset outbox printed\n%s\nwant the dead letter %q with its reason", out.String(), want)
	}
	out.Reset()
	if err := tool.Retry(ctx, &out, []string{id}); err != nil {
		t.Fatalf("Retry: %v\n%s", err, out.String())
	}
	g.d.Wake()
	got, err := r.Await(1, awaitEvents)
	if err != nil {
		t.Fatal(err)
	}
	st := g.settled(t)
	ev := got[0]
	if len(got) != 1 || ev.ID != event.ID(msg) || ev.Type != event.PasswordChanged || ev.Data.UserID != "7" ||
		!ev.Timestamp.Equal(changed) {
		t.Errorf("received %+v, want the event %s of user 7 at %v", got, event.ID(msg), changed)
	}
	if st.Counts[ports.StateFailed] != 0 || st.Counts[ports.StateSent] != 1 {
		t.Errorf("outbox %+v, want the requeued event sent and the dead letter gone", st.Counts)
	}
}

func TestEventsProblems(t *testing.T) {
	secret := "whsec_" + strings.Repeat("A", 32)
	tests := []struct {
		name string
		env  []string
		want []string
	}{
		{"off", nil, nil},
		{"on", []string{"EVENTS_URL=https://api.example.com/hooks", "EVENTS_SECRET=" + secret}, nil},
		{"all types", []string{"EVENTS_URL=https://api.example.com/hooks", "EVENTS_SECRET=" + secret,
			"EVENTS_TYPES=password.changed, reset_link.sent ,reset_link.failed"}, nil},
		{"no types", []string{"EVENTS_URL=https://api.example.com/hooks", "EVENTS_SECRET=" + secret, "EVENTS_TYPES= , "},
			[]string{"EVENTS_TYPES must name at least one of"}},
		{"no secret", []string{"EVENTS_URL=https://api.example.com/hooks"}, []string{"EVENTS_SECRET is required with EVENTS_URL"}},
		{"secret alone", []string{"EVENTS_SECRET=" + secret}, []string{"EVENTS_SECRET is set but EVENTS_URL is not"}},
		{"bad URL", []string{"EVENTS_URL=api.example.com/hooks", "EVENTS_SECRET=" + secret}, []string{"EVENTS_URL: it must be an absolute http or https URL"}},
		{"bad secret", []string{"EVENTS_URL=https://api.example.com/hooks", "EVENTS_SECRET=hunter2hunter2"}, []string{`EVENTS_SECRET: it does not start with "whsec_"`}},
		{"short secret", []string{"EVENTS_URL=https://api.example.com/hooks", "EVENTS_SECRET=whsec_AAAA"}, []string{"EVENTS_SECRET: its key is 3 bytes, fewer than 24"}},
		{"unknown type", []string{"EVENTS_URL=https://api.example.com/hooks", "EVENTS_SECRET=" + secret,
			"EVENTS_TYPES=password.changed,user.deleted"}, []string{`EVENTS_TYPES: "user.deleted" is not an event pwreset sends`}},
		{"timeout", []string{"EVENTS_URL=https://api.example.com/hooks", "EVENTS_SECRET=" + secret, "EVENTS_TIMEOUT=0s"},
			[]string{"EVENTS_TIMEOUT must be a positive duration"}},
		{"lease", []string{"EVENTS_URL=https://api.example.com/hooks", "EVENTS_SECRET=" + secret, "EVENTS_TIMEOUT=1m"},
			[]string{"MAIL_LEASE (1m0s) must be at least 4/3 of EVENTS_TIMEOUT (1m0s)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := wantProblems(t, tt.env, tt.want...)
			if err != nil && strings.Contains(err.Error(), "hunter2") {
				t.Errorf("the error quotes the secret: %v", err)
			}
		})
	}
}
