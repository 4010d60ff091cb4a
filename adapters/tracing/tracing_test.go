package tracing_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"go.uber.org/mock/gomock"

	"github.com/pwreset/pwreset/adapters/tracing"
	"github.com/pwreset/pwreset/mocks"
	"github.com/pwreset/pwreset/ports"
)

// The secrets of these tests: no span may hold any of them.
const (
	login    = "alice-the-login"
	email    = "alice@example.com"
	password = "correct horse battery staple"
	hash     = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA"
	userID   = "65f0c0ffee0000000000cafe"
	signed   = "https://frontend.example/reset-password/?signature=c2lnbmF0dXJl"
)

var secrets = []string{login, email, password, hash, userID, signed, "c2lnbmF0dXJl"}

// leaky is an error whose text quotes everything the caller sent, as a database's
// or a provider's sometimes does.
var leaky = fmt.Errorf("duplicate key %s %s %s %s %s %s", login, email, password, hash, userID, signed)

func newProvider(t *testing.T) (*sdktrace.TracerProvider, *tracetest.InMemoryExporter) {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	t.Cleanup(func() { tp.Shutdown(context.Background()) })
	return tp, exp
}

// requestCtx is the context of a request's span, as the HTTP middleware makes it.
func requestCtx(t *testing.T, tp trace.TracerProvider) (context.Context, trace.Span) {
	ctx, span := tp.Tracer("test").Start(context.Background(), "POST /request")
	t.Cleanup(func() { span.End() })
	return ctx, span
}

// TestStepsOnlyInsideATrace: a port call in a request's trace is a child span named
// after the port and the method; outside a trace (the dispatcher's polls, the
// purges) it makes none.
func TestStepsOnlyInsideATrace(t *testing.T) {
	tp, exp := newProvider(t)
	ctrl := gomock.NewController(t)
	inner := mocks.NewMockUserStore(ctrl)
	inner.EXPECT().FindByLogin(gomock.Any(), login).Return(ports.User{ID: userID}, nil).Times(2)
	users := tracing.NewUserStore(inner, tp)

	if _, err := users.FindByLogin(context.Background(), login); err != nil {
		t.Fatal(err)
	}
	if got := exp.GetSpans(); len(got) != 0 {
		t.Fatalf("a call outside a trace made %d spans", len(got))
	}
	ctx, parent := requestCtx(t, tp)
	if _, err := users.FindByLogin(ctx, login); err != nil {
		t.Fatal(err)
	}
	got := exp.GetSpans()
	if len(got) != 1 || got[0].Name != "users.FindByLogin" || got[0].Parent.SpanID() != parent.SpanContext().SpanID() {
		t.Fatalf("want one child span users.FindByLogin of the request, got %v", got.Snapshots())
	}
	if users.Unwrap() != inner {
		t.Error("Unwrap does not return the traced store")
	}
}

// TestOutcomes: expected outcomes are attributes, failures an error status that
// names the kind of failure and never the error's text.
func TestOutcomes(t *testing.T) {
	for _, tc := range []struct {
		err         error
		outcome     string
		statusError bool
	}{
		{ports.ErrUserNotFound, "not_found", false},
		{fmt.Errorf("find %s: %w", email, ports.ErrUnavailable), "unavailable", true},
		{leaky, "error", true},
		{context.DeadlineExceeded, "deadline_exceeded", true},
	} {
		t.Run(tc.outcome, func(t *testing.T) {
			tp, exp := newProvider(t)
			inner := mocks.NewMockUserStore(gomock.NewController(t))
			inner.EXPECT().FindByEmail(gomock.Any(), email).Return(ports.User{}, tc.err)
			ctx, _ := requestCtx(t, tp)
			if _, err := tracing.NewUserStore(inner, tp).FindByEmail(ctx, email); err != tc.err {
				t.Fatalf("error %v, want %v unchanged", err, tc.err)
			}
			s := exp.GetSpans()[0]
			if attr(s, "pwreset.outcome") != tc.outcome {
				t.Errorf("outcome %q, want %q", attr(s, "pwreset.outcome"), tc.outcome)
			}
			if (s.Status.Code == codes.Error) != tc.statusError || (tc.statusError && s.Status.Description != tc.outcome) {
				t.Errorf("status %v %q", s.Status.Code, s.Status.Description)
			}
		})
	}
}

// TestQueuedMessageCarriesTheTrace: a message stored inside a trace carries the
// traceparent of its step, and its delivery is that step's child however much later
// and wherever it happens; a message without one is delivered in a trace of its own.
func TestQueuedMessageCarriesTheTrace(t *testing.T) {
	tp, exp := newProvider(t)
	ctrl := gomock.NewController(t)
	box := mocks.NewMockOutbox(ctrl)
	var stored ports.Message
	box.EXPECT().AddLimited(gomock.Any(), gomock.Any(), gomock.Any()).DoAndReturn(
		func(_ context.Context, m ports.LimitedMessage, _ time.Time) (string, int, error) {
			stored = m.Message
			return "m1", -1, nil
		})
	ctx, parent := requestCtx(t, tp)
	msg := ports.Message{Kind: "reset_link", UserID: userID, To: email, Text: signed}
	if _, _, err := tracing.NewOutbox(box, tp).AddLimited(ctx, ports.LimitedMessage{Message: msg}, time.Now()); err != nil {
		t.Fatal(err)
	}
	step := exp.GetSpans()[0]
	want := fmt.Sprintf("00-%s-%s-01", parent.SpanContext().TraceID(), step.SpanContext.SpanID())
	if step.Name != "outbox.AddLimited" || stored.TraceParent != want {
		t.Fatalf("step %q stored traceparent %q, want %q", step.Name, stored.TraceParent, want)
	}

	mailer := mocks.NewMockMailer(ctrl)
	mailer.EXPECT().Send(gomock.Any(), gomock.Any()).Return("", &ports.SendError{Status: 550, Reason: "rejected [address]", Permanent: true})
	mailer.EXPECT().Send(gomock.Any(), gomock.Any()).Return("id-2", nil)
	traced := tracing.NewMailer(mailer, tp)
	exp.Reset()
	if _, err := traced.Send(context.Background(), stored); err == nil {
		t.Fatal("the provider's refusal was lost")
	}
	send := exp.GetSpans()[0]
	if send.Name != "mail.Send" || send.Parent.SpanID() != step.SpanContext.SpanID() ||
		send.SpanContext.TraceID() != parent.SpanContext().TraceID() || !send.Parent.IsRemote() {
		t.Fatalf("delivery span %q parent %v, want a child of the stored step %v", send.Name, send.Parent, step.SpanContext)
	}
	if attr(send, "pwreset.outcome") != "permanent" || attr(send, "pwreset.mail.status") != "550" || send.Status.Code != codes.Error {
		t.Errorf("delivery span attributes %v, status %v", send.Attributes, send.Status)
	}
	exp.Reset()
	if _, err := traced.Send(context.Background(), ports.Message{Kind: "password_changed"}); err != nil {
		t.Fatal(err)
	}
	if own := exp.GetSpans()[0]; own.Parent.IsValid() || attr(own, "pwreset.outcome") != "sent" {
		t.Errorf("a message without a traceparent: parent %v, outcome %q", own.Parent, attr(own, "pwreset.outcome"))
	}

	events := mocks.NewMockMailer(ctrl)
	events.EXPECT().Send(gomock.Any(), gomock.Any()).Return("", &ports.SendError{Status: 429})
	exp.Reset()
	tracing.NewEventSender(events, tp).Send(context.Background(), ports.Message{Kind: "password.changed", TraceParent: want})
	ev := exp.GetSpans()[0]
	if ev.Name != "event.Send" || ev.Parent.SpanID() != step.SpanContext.SpanID() || attr(ev, "pwreset.event.kind") != "password.changed" ||
		attr(ev, "pwreset.event.status") != "429" || attr(ev, "pwreset.outcome") != "temporary" {
		t.Errorf("event delivery span %q parent %v attributes %v", ev.Name, ev.Parent, ev.Attributes)
	}
}

// TestNoSecretInAnySpan calls every traced method inside a trace with the secrets as
// arguments and failing with errors that quote them, and checks every span's name,
// attributes, status and events.
func TestNoSecretInAnySpan(t *testing.T) {
	tp, exp := newProvider(t)
	ctrl := gomock.NewController(t)
	ctx, _ := requestCtx(t, tp)

	users := mocks.NewMockUserStore(ctrl)
	users.EXPECT().FindByLogin(gomock.Any(), gomock.Any()).Return(ports.User{}, leaky)
	users.EXPECT().FindByEmail(gomock.Any(), gomock.Any()).Return(ports.User{}, leaky)
	users.EXPECT().FindByID(gomock.Any(), gomock.Any()).Return(ports.User{}, leaky)
	users.EXPECT().SetPassword(gomock.Any(), gomock.Any()).Return(leaky)
	u := tracing.NewUserStore(users, tp)
	u.FindByLogin(ctx, login)
	u.FindByEmail(ctx, email)
	u.FindByID(ctx, userID)
	u.SetPassword(ctx, ports.PasswordChange{UserID: userID, OldHash: hash, NewHash: hash})

	limiter := mocks.NewMockRateLimiter(ctrl)
	limiter.EXPECT().Allow(gomock.Any(), gomock.Any(), gomock.Any(), gomock.Any(), gomock.Any()).Return(false, time.Second, leaky)
	limiter.EXPECT().Latest(gomock.Any(), gomock.Any()).Return(time.Time{}, leaky)
	l := tracing.NewRateLimiter(limiter, tp)
	l.Allow(ctx, "link:"+email, 1, time.Minute, time.Now())
	l.Latest(ctx, "link:"+email)

	hasher := mocks.NewMockPasswordHasher(ctrl)
	hasher.EXPECT().Hash(password).Return("", leaky)
	ports.HashWith(ctx, tracing.NewPasswordHasher(hasher, tp), password)
	tracing.NewBreachChecker(breached{}, tp).Breached(ctx, password)

	box := mocks.NewMockOutbox(ctrl)
	box.EXPECT().Add(gomock.Any(), gomock.Any(), gomock.Any()).Return("", leaky)
	box.EXPECT().Discard(gomock.Any(), gomock.Any(), gomock.Any(), gomock.Any()).Return("", leaky)
	box.EXPECT().AddLimited(gomock.Any(), gomock.Any(), gomock.Any()).Return("", 0, leaky)
	box.EXPECT().LatestEvent(gomock.Any(), gomock.Any()).Return(time.Time{}, leaky)
	box.EXPECT().Release(gomock.Any(), gomock.Any(), gomock.Any()).Return(leaky)
	box.EXPECT().Delete(gomock.Any(), gomock.Any()).Return(leaky)
	msg := ports.Message{Kind: "reset_link", UserID: userID, To: email, Subject: login, Text: signed, HTML: signed}
	o := tracing.NewOutbox(box, tp)
	o.Add(ctx, msg, time.Now())
	o.Discard(ctx, msg, "cooldown "+email, time.Now())
	o.AddLimited(ctx, ports.LimitedMessage{Message: msg, Limits: []ports.Limit{{Key: "user:" + userID, Max: 1, Window: time.Hour}}}, time.Now())
	o.LatestEvent(ctx, "user:"+userID)
	o.Release(ctx, userID, time.Now())
	o.Delete(ctx, userID)

	mailer := mocks.NewMockMailer(ctrl)
	mailer.EXPECT().Send(gomock.Any(), gomock.Any()).Return("", &ports.SendError{Status: 550, Reason: leaky.Error()})
	mailer.EXPECT().Send(gomock.Any(), gomock.Any()).Return("", leaky)
	m := tracing.NewMailer(mailer, tp)
	m.Send(ctx, msg)
	m.Send(ctx, msg)

	spans := exp.GetSpans()
	if len(spans) != 16 {
		t.Errorf("%d spans, want one per call (16)", len(spans))
	}
	for _, s := range spans {
		for _, text := range texts(s) {
			for _, secret := range secrets {
				if strings.Contains(text, secret) {
					t.Errorf("span %q holds %q in %q", s.Name, secret, text)
				}
			}
		}
	}
}

type breached struct{}

func (breached) Breached(context.Context, string) (bool, error) { return true, errors.New(password) }

func attr(s tracetest.SpanStub, key string) string {
	for _, a := range s.Attributes {
		if string(a.Key) == key {
			return a.Value.Emit()
		}
	}
	return ""
}

// texts are every string a span carries.
func texts(s tracetest.SpanStub) []string {
	out := []string{s.Name, s.Status.Description}
	for _, a := range s.Attributes {
		out = append(out, string(a.Key), a.Value.Emit())
	}
	for _, e := range s.Events {
		out = append(out, e.Name)
		for _, a := range e.Attributes {
			out = append(out, a.Value.Emit())
		}
	}
	return out
}
