package postgres_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pwreset/pwreset/adapters/postgres"
	"github.com/pwreset/pwreset/ports"
)

// BenchmarkAddLimitedKnownVsUnknown measures the database's side of a link
// request (issue 18 item 8): a known user's link, stored pending with its ~2.5 KB
// body, against an unknown login's, to nobody, suppressed into the record all
// strangers share with its decoy body kept (KeepBody, as the link sender stores
// it), in alternating pairs. Each request has the three limits of a
// link, of a user of its own, so that every one is counted. It reports the median
// of each and how often the known one was the slower of its pair.
func BenchmarkAddLimitedKnownVsUnknown(b *testing.B) {
	box := postgres.NewOutbox(migrated(b), 0)
	body := strings.Repeat("Someone asked to reset the password of your account. ", 20)
	html := "<p>" + strings.Repeat("Someone asked to reset the password of <b>your account</b>. ", 20) + "</p>"
	add := func(user, to, suppress string) time.Duration {
		limits := []ports.Limit{{Key: "cooldown:" + user, Max: 1, Window: time.Minute, Reason: "cooldown"},
			{Key: "user:" + user, Max: 3, Window: 24 * time.Hour, Reason: "daily_cap"},
			{Key: "global:" + suppress, Max: 1 << 30, Window: time.Hour, Reason: "global_cap"}}
		m := ports.LimitedMessage{Message: ports.Message{Kind: "reset_link", UserID: user, From: "noreply@example.com",
			To: to, Subject: "Reset your password", Text: body, HTML: html}, Limits: limits, Suppress: suppress,
			KeepBody: suppress != ""}
		start := time.Now()
		if _, refused, err := box.AddLimited(testCtx(b), m, time.Now()); err != nil || refused != -1 {
			b.Fatal(refused, err)
		}
		return time.Since(start)
	}
	var known, unknown []time.Duration
	slower := 0
	for i := 0; b.Loop(); i++ {
		k := add(fmt.Sprint("known-", b.N, "-", i), "ann@example.com", "")
		u := add(fmt.Sprint("unknown-", b.N, "-", i), "", "unknown_user")
		known, unknown = append(known, k), append(unknown, u)
		if k > u {
			slower++
		}
	}
	slices.Sort(known)
	slices.Sort(unknown)
	b.ReportMetric(float64(known[len(known)/2].Microseconds()), "known-µs")
	b.ReportMetric(float64(unknown[len(unknown)/2].Microseconds()), "unknown-µs")
	b.ReportMetric(100*float64(slower)/float64(len(known)), "%known-slower")
}
