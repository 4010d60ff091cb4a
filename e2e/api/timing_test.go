package api

import (
	"context"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/pwreset/pwreset/adapters/mongo/mongotest"
	"github.com/pwreset/pwreset/adapters/sendgrid/sendgridtest"
	"github.com/pwreset/pwreset/domain/reset"
	"github.com/pwreset/pwreset/e2e/harness"
)

// Shape of TestNoEnumerationByTiming: pairs of requests (one known login, one
// unknown), spread over shards, each with a few pairs of warm-up first.
const (
	timingPairs  = 250
	timingShards = 10
	timingWarmup = 2
	// timingSettle is how long the service is left alone after each request, once
	// its mail (if any) is delivered, for the dispatcher's last look at the outbox.
	timingSettle = 5 * time.Millisecond
	// The margins are relative and generous, for the machine's load comes and goes:
	// the requests of a pair run back to back, so load slows both alike, and a real
	// difference of path (a hash, a mail sent in the request) is a difference of
	// times over, on nearly every pair.
	//
	// timingMedianMargin is how far apart the medians may be, relative to the smaller.
	timingMedianMargin = 0.25
	// timingSignMargin is the share of pairs in which one kind may be the slower:
	// were both alike, more than two thirds of 250 pairs would be five standard
	// deviations away from half.
	timingSignMargin = 2.0 / 3
)

// timed is one answer of send-reset-password-link with its client-side wall time.
type timed struct {
	status  int
	body    string
	headers string // the headers, sorted, with the values that must differ masked
	took    time.Duration
}

// TestNoEnumerationByTiming asks for links for known and unknown logins in turn, with
// RESET_PASSWORD_FAIL_WHEN_USER_NOT_FOUND=false: the answers must not tell them apart,
// neither by status, body and headers nor by time.
//
// Every known login is a user of its own, asked for once, so that each request for it
// really queues a link under the default cooldown and caps; every unknown login is
// distinct too. The requests are spread over shards: a fresh database and service each,
// because FerretDB scans whole collections and every request adds rate-limit events
// and an outbox document, so a single database would make each request slower than
// the one before. Each request is measured on a quiet service: before it, the mail of
// the previous one has been delivered, so that the dispatcher's work for a known login
// (claim, send, mark sent) does not land in the next request's time.
func TestNoEnumerationByTiming(t *testing.T) {
	sg := sendgridtest.New(t)
	var known, unknown []timed
	for shard := range timingShards {
		k, u := timeShard(t, sg, shard, timingPairs/timingShards)
		known, unknown = append(known, k...), append(unknown, u...)
	}

	const want = `{"detail":"Reset link sent if the user exists in database"}` + "\n"
	knownSlower, unknownSlower := 0, 0
	for i := range known {
		k, u := known[i], unknown[i]
		if k.status != 200 || k.body != want {
			t.Fatalf("known login %d: %d %q, want 200 %q", i, k.status, k.body, want)
		}
		if u.status != k.status || u.body != k.body || u.headers != k.headers {
			t.Fatalf("pair %d tells the logins apart:\nknown   %d %q\n%s\nunknown %d %q\n%s",
				i, k.status, k.body, k.headers, u.status, u.body, u.headers)
		}
		switch {
		case k.took > u.took:
			knownSlower++
		case u.took > k.took:
			unknownSlower++
		}
	}
	mk, mu := median(known), median(unknown)
	n := float64(len(known))
	t.Logf("%d pairs: median known %v, unknown %v; known slower in %.1f%% of pairs, unknown in %.1f%%",
		len(known), mk.Round(time.Microsecond), mu.Round(time.Microsecond), 100*float64(knownSlower)/n, 100*float64(unknownSlower)/n)
	if d := float64(max(mk, mu)-min(mk, mu)) / float64(min(mk, mu)); d >= timingMedianMargin {
		t.Errorf("the medians differ by %.1f%%: known %v, unknown %v", 100*d, mk, mu)
	}
	for what, slower := range map[string]int{"known": knownSlower, "unknown": unknownSlower} {
		if float64(slower) > timingSignMargin*n {
			t.Errorf("the %s login was slower in %d of %d pairs", what, slower, len(known))
		}
	}
}

// timeShard runs one service on a database of its own with n+timingWarmup users and
// returns the timed answers of n known and n unknown logins, asked for in turn.
func timeShard(t *testing.T, sg *sendgridtest.Server, shard, n int) (known, unknown []timed) {
	t.Helper()
	db := mongotest.NewDatabase(t)
	login := func(kind string, i int) string { return fmt.Sprintf("%s-%d-%03d", kind, shard, i) }
	var docs []any
	for i := range n + timingWarmup {
		docs = append(docs, bson.D{{Key: "_id", Value: bson.NewObjectID()}, {Key: "username", Value: login("known", i)},
			{Key: "email", Value: login("known", i) + "@example.com"}, {Key: "password", Value: "x"}})
	}
	if _, err := db.Collection("users").InsertMany(context.Background(), docs); err != nil {
		t.Fatal(err)
	}
	p, api := harness.Serve(t, mongotest.URI(t), db.Name(), append(harness.MailEnv(sg),
		"RESET_PASSWORD_FAIL_WHEN_USER_NOT_FOUND=false",
		// Idle dispatchers look at the outbox only this often (the default), not in
		// the middle of the measurements.
		"OUTBOX_POLL_INTERVAL=5s")...)
	defer func() { p.Cmd.Process.Kill(); p.Wait() }()

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
	defer client.CloseIdleConnections()
	sent := 0
	ask := func(login string, queues bool) timed {
		body := fmt.Sprintf(`{"login":%q}`, login)
		start := time.Now()
		resp, err := client.Post(api+"send-reset-password-link/", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		raw, err := io.ReadAll(resp.Body)
		took := time.Since(start)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if queues {
			sent++
		}
		awaitDispatched(t, p, sent)
		time.Sleep(timingSettle)
		return timed{status: resp.StatusCode, body: string(raw), headers: headerLines(resp.Header), took: took}
	}
	for i := range n + timingWarmup {
		k, u := ask(login("known", i), true), ask(login("ghost", i), false)
		if i >= timingWarmup {
			known, unknown = append(known, k), append(unknown, u)
		}
	}
	// Every known login queued a link that was sent, every unknown one a suppressed
	// record: the two paths did the same work.
	countState(t, db, "sent", "", n+timingWarmup)
	countState(t, db, "suppressed", reset.ReasonUnknownUser, n+timingWarmup)
	return known, unknown
}

// awaitDispatched waits until the service has logged n delivered reset links.
func awaitDispatched(t *testing.T, p *harness.Process, n int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		got := 0
		for _, l := range p.Snapshot() {
			if strings.Contains(l, `"msg":"reset_link.sent"`) {
				got++
			}
		}
		if got >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 30s %d reset links delivered, want %d", got, n)
		}
		time.Sleep(time.Millisecond)
	}
}

// countState checks the outbox holds n link messages in state (with the reason, if any).
func countState(t *testing.T, db *mongo.Database, state, reason string, n int) {
	t.Helper()
	filter := bson.D{{Key: "state", Value: state}, {Key: "message.kind", Value: reset.KindResetLink}}
	if reason != "" {
		filter = append(filter, bson.E{Key: "last_error", Value: reason})
	}
	got, err := db.Collection("outbox").CountDocuments(context.Background(), filter)
	if err != nil || got != int64(n) {
		t.Fatalf("%d %s link messages in the outbox (%v), want %d", got, state, err, n)
	}
}

// headerLines writes h one header a line, sorted. The values of Date and
// X-Request-Id differ from one answer to the next whoever asks; they are masked.
func headerLines(h http.Header) string {
	var lines []string
	for _, name := range slices.Sorted(maps.Keys(h)) {
		value := strings.Join(h[name], ", ")
		if name == "Date" || name == "X-Request-Id" {
			value = "..."
		}
		lines = append(lines, name+": "+value)
	}
	return strings.Join(lines, "\n")
}

func median(ts []timed) time.Duration {
	d := make([]time.Duration, len(ts))
	for i, x := range ts {
		d[i] = x.took
	}
	slices.Sort(d)
	return d[len(d)/2]
}
