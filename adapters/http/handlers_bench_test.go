package http_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/trace"

	pwhttp "github.com/pwreset/pwreset/adapters/http"
	"github.com/pwreset/pwreset/adapters/memory"
	"github.com/pwreset/pwreset/domain/audit"
	"github.com/pwreset/pwreset/domain/link"
	"github.com/pwreset/pwreset/domain/outbox"
	"github.com/pwreset/pwreset/domain/policy"
	"github.com/pwreset/pwreset/domain/reset"
	"github.com/pwreset/pwreset/ports"
)

// benchUsers is how many users the reset benchmark spreads over.
const benchUsers = 1000

// wallClock is the real clock, as demo mode has.
type wallClock struct{}

func (wallClock) Now() time.Time { return time.Now() }

// discardProvider delivers nothing, at no cost: the benchmark measures the request.
type discardProvider struct{}

func (discardProvider) Send(context.Context, ports.Message) (string, error) { return "sent", nil }

// demoAPI is the API as demo mode assembles it (memory adapters, the outbox queue
// and its dispatcher running, JSON logs), with the harness's settings: limits off,
// unknown users answered like known ones. The hasher is plainHasher: argon2id has
// a benchmark of its own, and would hide everything else here.
func demoAPI(b testing.TB) http.Handler { return demoAPIWith(b, nil) }

// demoAPIWith is demoAPI with tp's request spans (nil: none).
func demoAPIWith(b testing.TB, tp trace.TracerProvider) http.Handler {
	b.Helper()
	users := memory.NewUserStore([]string{"username"}, ports.User{ID: "1", Email: "demo@example.com",
		PasswordHash: hashOf(oldPassword), Logins: []ports.Field{{Name: "username", Value: "demo"}}})
	for i := 1; i <= benchUsers; i++ {
		id := "user" + strconv.Itoa(i)
		users.Add(ports.User{ID: id, Email: id + "@example.com", PasswordHash: hashOf(oldPassword),
			Logins: []ports.Field{{Name: "username", Value: id}}})
	}
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	box := memory.NewOutbox()
	limiter := memory.NewRateLimiter()
	clock := wallClock{}
	d := outbox.NewDispatcher(outbox.DefaultConfig(), box, discardProvider{}, clock, log, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	b.Cleanup(func() { cancel(); <-done })
	queue := outbox.NewQueue(box, d)
	cfg := reset.Config{Enabled: true, Period: period, URL: frontURL, From: "noreply@example.com"}
	signer := link.NewSigner([]byte(secret), false)
	emails := reset.DefaultEmails()
	sender := reset.NewLinkSender(reset.LinkSenderDeps{Config: cfg, Users: users, Outbox: queue, Signer: signer,
		Clock: clock, Emails: emails, Audit: audit.New(log)})
	resetter := reset.NewResetter(reset.ResetterDeps{Config: cfg, Users: users, Hasher: plainHasher{}, Signer: signer,
		Clock: clock, Policy: policy.New(policy.DefaultMinLength), Outbox: queue, Emails: emails,
		Audit: audit.New(log), Log: log})
	return pwhttp.New(pwhttp.Config{Prefix: "/api/v1/accounts/", Tracing: tp}, sender, resetter, limiter, clock, log)
}

// serve runs one request through api and checks the answer is 200.
func serve(b testing.TB, api http.Handler, path, body string) {
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	req.Header.Set("Content-Type", jsonType)
	rec := httptest.NewRecorder()
	api.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		b.Fatalf("%s: %d %s", path, rec.Code, rec.Body)
	}
}

// BenchmarkSendLink is send-reset-password-link in-process, for an existing user
// and for unknown ones (a new login each time).
func BenchmarkSendLink(b *testing.B) {
	b.Run("existing", func(b *testing.B) {
		api := demoAPI(b)
		b.ReportAllocs()
		for b.Loop() {
			serve(b, api, sendPath, `{"login":"demo"}`)
		}
	})
	b.Run("unknown", func(b *testing.B) {
		api := demoAPI(b)
		b.ReportAllocs()
		n := 0
		for b.Loop() {
			n++
			serve(b, api, sendPath, `{"login":"nobody`+strconv.Itoa(n)+`"}`)
		}
	})
}

// BenchmarkResetPassword is reset-password in-process with valid links, spread
// over many users, without the hash (see demoAPI).
func BenchmarkResetPassword(b *testing.B) {
	api := demoAPI(b)
	signer := link.NewSigner([]byte(secret), false)
	now := time.Now().Unix()
	bodies := make([]string, benchUsers)
	for i := range bodies {
		id := "user" + strconv.Itoa(i+1)
		bodies[i] = jsonOf(map[string]any{"user_id": id, "timestamp": now,
			"signature": signer.Sign(link.Claims{UserID: id, Timestamp: now}), "password": newPassword})
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		serve(b, api, resetPath, bodies[i%len(bodies)])
		i++
	}
}
