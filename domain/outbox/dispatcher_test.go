package outbox_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pwreset/pwreset/ports"
)

func TestWakeSendsAtOnceAndErasesTheBody(t *testing.T) {
	h := newHarness(t, &provider{})
	cfg := testConfig()
	h.start(t, cfg)
	// Every worker has found nothing and sleeps for an hour: only Wake can bring one back.
	waitFor(t, "workers idle", func() bool { return h.box.claims.Load() >= int64(cfg.Workers) })
	id := h.send(t, 1)
	env := h.waitState(t, id, ports.StateSent)
	want := message(1)
	want.Subject, want.Text, want.HTML = "", "", ""
	if env.Message != want || env.ProviderID != "provider-1" || env.Attempts != 1 || env.FinishedAt.IsZero() {
		t.Fatalf("sent message = %+v; want provider id, one attempt, body erased, metadata kept", env)
	}
	waitFor(t, "outcome logged", func() bool { return strings.Contains(h.logs.String(), "mail sent") })
	waitFor(t, "audit event", func() bool {
		return strings.Contains(h.logs.String(), "msg="+want.Kind+".sent audit=true user_id="+want.UserID)
	})
	logs := h.logs.String()
	if !strings.Contains(logs, "example.org") || strings.Contains(logs, "user1@") || strings.Contains(logs, "secret-token") {
		t.Fatalf("logs must name the recipient's domain only, and never the link:\n%s", logs)
	}
}

func TestDeliversEachMessageExactlyOnce(t *testing.T) {
	const messages = 50
	for _, dispatchers := range []int{1, 3} {
		t.Run(fmt.Sprint(dispatchers, " dispatchers"), func(t *testing.T) {
			h := newHarness(t, &provider{})
			cfg := testConfig()
			cfg.PollInterval = 5 * time.Millisecond // the queue wakes only the first dispatcher
			for range dispatchers {
				h.start(t, cfg)
			}
			for i := range messages {
				h.send(t, i)
			}
			waitFor(t, "all sent", func() bool {
				s, err := h.box.Stats(context.Background())
				return err == nil && s.Counts[ports.StateSent] == messages
			})
			for i := range messages {
				if n := len(h.provider.callsTo(message(i).To)); n != 1 {
					t.Errorf("message %d sent %d times", i, n)
				}
			}
		})
	}
}

func TestRetriesTemporaryFailures(t *testing.T) {
	retryAfter := 100 * time.Millisecond
	cases := []struct {
		name string
		errs []error
	}{
		{"503", []error{&ports.SendError{Status: 503, Reason: "busy"}}},
		{"unreachable", []error{&ports.SendError{Reason: "dial tcp: connection refused"},
			errors.New("read tcp: connection reset by peer")}},
		{"timeout", []error{fmt.Errorf("post: %w", context.DeadlineExceeded)}},
		{"429 with Retry-After", []error{&ports.SendError{Status: 429, Reason: "slow down", RetryAfter: retryAfter}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, &provider{answer: results(c.errs...)})
			h.start(t, testConfig())
			id := h.send(t, 1)
			env := h.waitState(t, id, ports.StateSent)
			calls := h.provider.callsTo(message(1).To)
			if len(calls) != len(c.errs)+1 || env.Attempts != len(calls) {
				t.Fatalf("%d calls, %d attempts; want %d", len(calls), env.Attempts, len(c.errs)+1)
			}
			for i, err := range c.errs {
				var sendErr *ports.SendError
				if errors.As(err, &sendErr) && calls[i+1].Sub(calls[i]) < sendErr.RetryAfter {
					t.Errorf("attempt %d came %s after the one asked to wait %s", i+2, calls[i+1].Sub(calls[i]), sendErr.RetryAfter)
				}
			}
			// Each retry is an event (the metrics count them), written before the next attempt.
			if n := strings.Count(h.logs.String(), "msg="+message(1).Kind+".retry audit=true"); n != len(c.errs) {
				t.Errorf("%d retry events, want %d", n, len(c.errs))
			}
		})
	}
}

func TestPermanentFailureIsNotRetried(t *testing.T) {
	refusal := &ports.SendError{Status: 400, Reason: "invalid recipient", Permanent: true}
	for _, err := range []error{refusal, fmt.Errorf("sendgrid: %w", refusal)} {
		t.Run(err.Error(), func(t *testing.T) {
			h := newHarness(t, &provider{answer: results(err, err)})
			h.start(t, testConfig())
			id := h.send(t, 1)
			env := h.waitState(t, id, ports.StateFailed)
			if env.LastError != err.Error() || env.Attempts != 1 || env.Message.Text != "" || env.FinishedAt.IsZero() {
				t.Fatalf("failed message = %+v; want one attempt, the reason, body erased", env)
			}
			if n := h.provider.total(); n != 1 {
				t.Fatalf("provider called %d times, want once", n)
			}
			waitFor(t, "failure event", func() bool {
				return strings.Contains(h.logs.String(), "msg="+message(1).Kind+".failed audit=true user_id="+message(1).UserID)
			})
		})
	}
}

func TestMaxAge(t *testing.T) {
	cases := []struct {
		name   string
		age    time.Duration // of the message when it is first claimed
		answer error
		calls  int
		reason string // the start of the reason it fails with
	}{
		{"stored too long ago", 2 * time.Hour, nil, 0, "not sent within MAIL_MAX_AGE (1h0m0s)"},
		{"retry would fall after it", 59 * time.Minute,
			&ports.SendError{Status: 429, Reason: "slow down", RetryAfter: 2 * time.Minute}, 1,
			"mail provider answered 429: slow down; the next attempt would fall after MAIL_MAX_AGE (1h0m0s)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, &provider{answer: results(c.answer)})
			h.start(t, testConfig())
			id, err := h.box.Add(context.Background(), message(1), time.Now().Add(-c.age))
			if err != nil {
				t.Fatal(err)
			}
			h.first.Wake()
			env := h.waitState(t, id, ports.StateFailed)
			if !strings.HasPrefix(env.LastError, c.reason) || h.provider.total() != c.calls {
				t.Fatalf("failed with %q after %d calls; want %q after %d", env.LastError, h.provider.total(), c.reason, c.calls)
			}
		})
	}
}

// TestMaxAgeSparesNotices is issue 17's finding 3: a password-changed notice is not
// given up for its age, which only makes a reset link useless. Stored long ago, it
// is sent; a retry that would fall after MAIL_MAX_AGE is scheduled all the same.
// A permanent refusal still fails it (TestPermanentFailure's rule), to be requeued
// by `pwreset outbox retry` and raise the delivery-failure alert.
func TestMaxAgeSparesNotices(t *testing.T) {
	notice := message(1)
	notice.Kind = "password_changed"
	slow := &ports.SendError{Status: 429, Reason: "slow down", RetryAfter: 2 * time.Minute}
	t.Run("stored too long ago", func(t *testing.T) {
		h := newHarness(t, &provider{answer: results(nil)})
		h.start(t, testConfig())
		id, err := h.box.Add(context.Background(), notice, time.Now().Add(-2*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		h.first.Wake()
		if env := h.waitState(t, id, ports.StateSent); h.provider.total() != 1 {
			t.Fatalf("notice %+v sent after %d calls, want 1", env, h.provider.total())
		}
	})
	t.Run("retry would fall after it", func(t *testing.T) {
		h := newHarness(t, &provider{answer: results(slow)})
		h.start(t, testConfig())
		id, err := h.box.Add(context.Background(), notice, time.Now().Add(-59*time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		h.first.Wake()
		waitFor(t, "the notice rescheduled", func() bool {
			env := h.get(t, id)
			return env.State == ports.StatePending && env.Attempts == 1
		})
		if env := h.get(t, id); env.State != ports.StatePending || !strings.Contains(env.LastError, "slow down") {
			t.Fatalf("notice after a 429 near MAIL_MAX_AGE: %+v; want pending, retried later", env)
		}
	})
}
