package reset_test

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/pwreset/pwreset/adapters/memory"
	"github.com/pwreset/pwreset/domain/audit"
	"github.com/pwreset/pwreset/domain/link"
	"github.com/pwreset/pwreset/domain/outbox"
	"github.com/pwreset/pwreset/domain/reset"
	"github.com/pwreset/pwreset/ports"
)

// BenchmarkSendKnownVsUnknown times link requests of demo mode's kind (memory
// stores, a dispatcher to wake that does not run) in alternating pairs: a known
// user's, then an unknown login's (issue 18 items 8 and 10). It reports the median
// of each and how often the known one was the slower of its pair; timing is left
// to this benchmark, TestKnownAndUnknownLoginsDoTheSameWork counts the work.
func BenchmarkSendKnownVsUnknown(b *testing.B) {
	cfg := reset.Config{Enabled: true, Period: 24 * time.Hour, URL: "https://frontend.example/reset-password/",
		From: "noreply@example.com", Secret: []byte(secretKey)} // limits off: every request does all its work
	users := memory.NewUserStore([]string{"username"}, ports.User{ID: "42", Email: "ann@example.com", PasswordHash: "x",
		Logins: []ports.Field{{Name: "username", Value: "ann"}}})
	clock := &stepClock{now: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	box := memory.NewStore(clock, memory.OutboxBounds{}).Outbox
	d := outbox.NewDispatcher(outbox.DefaultConfig(), box, nil, clock, slog.New(slog.DiscardHandler), audit.New(nil))
	sender := reset.NewLinkSender(reset.LinkSenderDeps{Config: cfg, Users: users, Outbox: outbox.NewQueue(box, d),
		Signer: link.NewSigner([]byte(secretKey), false), Clock: clock, Emails: reset.DefaultEmails(),
		Audit: audit.New(nil)})
	timed := func(login string) time.Duration {
		start := time.Now()
		if err := sender.Send(context.Background(), reset.Lookup{Value: login}); err != nil {
			b.Fatal(err)
		}
		return time.Since(start)
	}
	var known, unknown []time.Duration
	slower := 0
	for i := 0; b.Loop(); i++ {
		k, u := timed("ann"), timed(fmt.Sprint("nobody", i))
		known, unknown = append(known, k), append(unknown, u)
		if k > u {
			slower++
		}
		// Deliver the known one's link, untimed, as the dispatcher would after the
		// answer, so that pending messages do not pile up.
		env, err := box.Claim(context.Background(), "bench", clock.now, time.Minute)
		if err != nil || box.MarkSent(context.Background(), env.ID, "bench", "", clock.now) != nil {
			b.Fatal("deliver the known user's link:", err)
		}
	}
	slices.Sort(known)
	slices.Sort(unknown)
	b.ReportMetric(float64(known[len(known)/2].Nanoseconds())/1000, "known-µs")
	b.ReportMetric(float64(unknown[len(unknown)/2].Nanoseconds())/1000, "unknown-µs")
	b.ReportMetric(100*float64(slower)/float64(len(known)), "%known-slower")
}
