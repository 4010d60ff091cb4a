package http_test

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	pwhttp "github.com/pwreset/pwreset/adapters/http"
	"github.com/pwreset/pwreset/adapters/memory"
	"github.com/pwreset/pwreset/domain/audit"
	"github.com/pwreset/pwreset/domain/link"
	"github.com/pwreset/pwreset/domain/outbox"
	"github.com/pwreset/pwreset/domain/policy"
	"github.com/pwreset/pwreset/domain/reset"
	"github.com/pwreset/pwreset/ports"
	"github.com/pwreset/pwreset/ports/portstest"
)

const (
	sendPath  = "/api/v1/accounts/send-reset-password-link/"
	resetPath = "/api/v1/accounts/reset-password/"

	jsonType = "application/json"
	formType = "application/x-www-form-urlencoded"

	period   = 24 * time.Hour
	frontURL = "https://front.example/reset-password/"
	secret   = "test secret, never logged"

	oldPassword = "old-password"
	newPassword = "blue-Heron-42-lantern"
)

// The users every fixture starts with.
var (
	alice = ports.User{ID: "1", Email: "alice@example.com", PasswordHash: hashOf(oldPassword),
		Logins: []ports.Field{{Name: "username", Value: "alice"}, {Name: "email", Value: "alice@example.com"}}}
	// bob has no e-mail address: he can get no link.
	bob = ports.User{ID: "2", PasswordHash: hashOf(oldPassword),
		Logins: []ports.Field{{Name: "username", Value: "bob"}}}
	// numbers has a login that a JSON client may send as a number.
	numbers = ports.User{ID: "3", Email: "numbers@example.com", PasswordHash: hashOf(oldPassword),
		Logins: []ports.Field{{Name: "username", Value: "123"}}}
)

// plainHasher keeps tests fast: a real hasher costs tens of milliseconds a call.
type plainHasher struct{}

func hashOf(password string) string { return "plain$" + password }

func (plainHasher) Hash(password string) (string, error) { return hashOf(password), nil }

func (plainHasher) Verify(hash, password string) (bool, error) { return hash == hashOf(password), nil }

// logBuffer collects log lines; handlers may write from several goroutines.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Reset forgets the lines so far.
func (l *logBuffer) Reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.b.Reset()
}

// lines returns the JSON log records.
func (l *logBuffer) lines(t testing.TB) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(l.String()), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line %q is not JSON: %v", line, err)
		}
		out = append(out, m)
	}
	return out
}

// setup is what a fixture is built from; options change it.
type setup struct {
	http  pwhttp.Config
	reset reset.Config
	store ports.UserStore // replaces the in-memory store when set
}

type option func(*setup)

func disabled(s *setup)      { s.reset.Enabled = false }
func hidingUnknown(s *setup) { s.reset.FailWhenUserNotFound = false }
func oneTime(s *setup)       { s.reset.OneTimeUse = true }
func byEmail(s *setup)       { s.http.UseEmail = true }
func withConfirm(s *setup)   { s.http.PasswordConfirm = true }
func withPage(s *setup)      { s.http.Page.Enabled = true }
func withRates(send, reset pwhttp.Rate) option {
	return func(s *setup) { s.http.SendLinkRate, s.http.ResetRate = send, reset }
}
func trusting(cidrs ...netip.Prefix) option { return func(s *setup) { s.http.TrustedProxies = cidrs } }
func withPrefix(p string) option {
	return func(s *setup) { s.http.Prefix = p }
}
func corsFrom(origins ...string) option {
	return func(s *setup) { s.http.CORSAllowedOrigins = origins }
}
func withStore(store ports.UserStore) option {
	return func(s *setup) { s.store = store }
}

// fixture is the real API over the real use cases and the in-memory adapters.
type fixture struct {
	t       testing.TB
	api     http.Handler
	users   *memory.UserStore
	mailer  *memory.Mailer
	box     *memory.Outbox
	limiter *memory.RateLimiter
	clock   *portstest.Clock
	logs    *logBuffer
	log     *slog.Logger
	// sendPath is send-reset-password-link under the configured prefix.
	sendPath string
}

// mailQueue is the link sender's outbox here: the outbox, and a copy of each link
// that goes out in the mailer, where the tests read them.
type mailQueue struct {
	*memory.Outbox
	mailer *memory.Mailer
}

func (q mailQueue) AddLimited(ctx context.Context, m ports.LimitedMessage, now time.Time) (string, int, error) {
	id, refused, err := q.Outbox.AddLimited(ctx, m, now)
	if err == nil && refused < 0 && m.Suppress == "" {
		_, err = q.mailer.Send(ctx, m.Message)
	}
	return id, refused, err
}

func newFixture(t testing.TB, opts ...option) *fixture {
	t.Helper()
	s := setup{reset: reset.Config{Enabled: true, FailWhenUserNotFound: true, Period: period,
		URL: frontURL, From: "noreply@example.com"}}
	for _, o := range opts {
		o(&s)
	}
	f := &fixture{
		t:       t,
		users:   memory.NewUserStore([]string{"username", "email"}, alice, bob, numbers),
		mailer:  memory.NewMailer(),
		box:     memory.NewOutbox(),
		limiter: memory.NewRateLimiter(),
		clock:   portstest.NewClock(time.Unix(1_700_000_000, 0)),
		logs:    &logBuffer{},
	}
	var store ports.UserStore = f.users
	if s.store != nil {
		store = s.store
	}
	signer := link.NewSigner([]byte(secret), s.reset.OneTimeUse)
	log := slog.New(slog.NewJSONHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	f.log = log
	emails := reset.DefaultEmails()
	sender := reset.NewLinkSender(reset.LinkSenderDeps{Config: s.reset, Users: store,
		Outbox: mailQueue{f.box, f.mailer}, Signer: signer, Clock: f.clock, Emails: emails, Audit: audit.New(log)})
	resetter := reset.NewResetter(reset.ResetterDeps{Config: s.reset, Users: store, Hasher: plainHasher{},
		Signer: signer, Clock: f.clock, Policy: policy.New(policy.DefaultMinLength),
		Outbox: outbox.NewQueue(f.box, nil), Emails: emails, Audit: audit.New(log), Log: log})
	f.api = checked(t, s.http, pwhttp.New(s.http, sender, resetter, f.limiter, f.clock, log))
	f.sendPath = strings.TrimSuffix(cmp.Or(s.http.Prefix, pwhttp.DefaultPrefix), "/") + "/send-reset-password-link/"
	return f
}

// do sends a request through the API; headers come as name, value pairs.
func (f *fixture) do(method, path, contentType, body string, headers ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	f.api.ServeHTTP(rec, req)
	return rec
}

func (f *fixture) post(path, body string) *httptest.ResponseRecorder {
	return f.do(http.MethodPost, path, jsonType, body)
}

// hash returns the stored password hash of the user with id.
func (f *fixture) hash(id string) string {
	f.t.Helper()
	u, err := f.users.FindByID(context.Background(), id)
	if err != nil {
		f.t.Fatalf("user %s: %v", id, err)
	}
	return u.PasswordHash
}

// resetLink holds the values of a link from an e-mail.
type resetLink struct {
	UserID, Timestamp, Signature string
}

var urlInMail = regexp.MustCompile(`https?://\S+`)

// requestLink asks for a link for login and returns it, read from the e-mail.
func (f *fixture) requestLink(login string) resetLink {
	f.t.Helper()
	before := len(f.mailer.Sent())
	rec := f.post(f.sendPath, jsonOf(map[string]any{"login": login}))
	sent := f.mailer.Sent()
	if rec.Code != http.StatusOK || len(sent) != before+1 {
		f.t.Fatalf("no link for %q: %d %s", login, rec.Code, rec.Body)
	}
	raw := urlInMail.FindString(sent[len(sent)-1].Text)
	u, err := url.Parse(raw)
	if err != nil || !strings.HasPrefix(raw, frontURL) {
		f.t.Fatalf("no link in mail %q", sent[len(sent)-1].Text)
	}
	q := u.Query()
	return resetLink{UserID: q.Get("user_id"), Timestamp: q.Get("timestamp"), Signature: q.Get("signature")}
}

// body is the JSON reset body for l and password, with the extra fields added
// (a nil value removes a field).
func (l resetLink) body(password string, extra map[string]any) string {
	m := map[string]any{"user_id": l.UserID, "timestamp": l.Timestamp, "signature": l.Signature, "password": password}
	for k, v := range extra {
		if v == nil {
			delete(m, k)
			continue
		}
		m[k] = v
	}
	return jsonOf(m)
}

func jsonOf(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// multipartOf encodes fields as multipart/form-data and returns the body and its type.
func multipartOf(fields map[string]string) (string, string) {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for k, v := range fields {
		if err := w.WriteField(k, v); err != nil {
			panic(err)
		}
	}
	if err := w.Close(); err != nil {
		panic(err)
	}
	return b.String(), w.FormDataContentType()
}

// expect checks the status and that the body is the JSON want (compared as values).
func expect(t testing.TB, rec *httptest.ResponseRecorder, status int, want string) {
	t.Helper()
	if rec.Code != status {
		t.Errorf("status %d, want %d; body %s", rec.Code, status, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, jsonType) {
		t.Errorf("Content-Type %q, want JSON", ct)
	}
	var got, exp any
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatalf("body %q is not JSON: %v", rec.Body, err)
	}
	if err := json.Unmarshal([]byte(want), &exp); err != nil {
		t.Fatalf("bad test: %v", err)
	}
	if !reflect.DeepEqual(got, exp) {
		t.Errorf("body %s, want %s", rec.Body, want)
	}
}

// detailOf returns the "detail" of a JSON answer.
func detailOf(t testing.TB, rec *httptest.ResponseRecorder) string {
	t.Helper()
	var m struct{ Detail string }
	if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
		t.Fatalf("body %q is not JSON: %v", rec.Body, err)
	}
	return m.Detail
}
