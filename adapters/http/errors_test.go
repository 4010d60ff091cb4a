package http_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/pwreset/pwreset/ports"
)

// brokenStore fails every call: with err, or by panicking when err is nil.
type brokenStore struct{ err error }

func (s brokenStore) fail() (ports.User, error) {
	if s.err == nil {
		panic("store bug")
	}
	return ports.User{}, s.err
}

func (s brokenStore) FindByLogin(context.Context, string) (ports.User, error) { return s.fail() }
func (s brokenStore) FindByEmail(context.Context, string) (ports.User, error) { return s.fail() }
func (s brokenStore) FindByID(context.Context, string) (ports.User, error)    { return s.fail() }
func (s brokenStore) SetPassword(context.Context, ports.PasswordChange) error {
	_, err := s.fail()
	return err
}

// TestServerErrors checks that a failure on our side answers DRF's generic 5xx, says
// nothing of its cause, and is logged with the request id.
func TestServerErrors(t *testing.T) {
	const internal = "mongo at 10.0.0.7 refused: auth failed for user pwreset"
	unavailable := fmt.Errorf("find user: dial 10.0.0.7: %w", ports.ErrUnavailable)
	tests := []struct {
		name       string
		store      ports.UserStore
		status     int
		want       string
		retryAfter string
		level      string
	}{
		{"store unreachable", brokenStore{unavailable}, 503, `{"detail":"Service temporarily unavailable."}`, "5", "WARN"},
		{"store failing", brokenStore{errors.New(internal)}, 500, `{"detail":"A server error occurred."}`, "", "ERROR"},
		{"panic", brokenStore{}, 500, `{"detail":"A server error occurred."}`, "", "ERROR"},
	}
	for _, tt := range tests {
		for _, path := range []string{sendPath, resetPath} {
			t.Run(tt.name+" "+path, func(t *testing.T) {
				f := newFixture(t, withStore(tt.store))
				body := `{"login":"alice"}`
				if path == resetPath {
					body = `{"user_id":"1","timestamp":1700000000,"signature":"abc","password":"` + newPassword + `"}`
				}
				rec := f.do("POST", path, jsonType, body, "X-Request-Id", "req-5xx")
				expect(t, rec, tt.status, tt.want)
				if got := rec.Header().Get("Retry-After"); got != tt.retryAfter {
					t.Errorf("Retry-After %q, want %q", got, tt.retryAfter)
				}
				if strings.Contains(rec.Body.String(), "10.0.0.7") {
					t.Errorf("internal error in the answer: %s", rec.Body)
				}
				var failure map[string]any
				for _, l := range f.logs.lines(t) {
					if l["msg"] == "request failed" {
						failure = l
					}
				}
				if failure == nil || failure["request_id"] != rec.Header().Get("X-Request-Id") ||
					failure["client_request_id"] != "req-5xx" || failure["level"] != tt.level ||
					failure["error"] == "" {
					t.Errorf("failure log %v, want one at %s with the request id and the error", failure, tt.level)
				}
				if strings.Contains(f.logs.String(), newPassword) {
					t.Errorf("password logged: %s", f.logs)
				}
			})
		}
	}
}

// TestNothingSecretLogged runs the whole workflow and checks that no password,
// signature, link or secret reaches the log.
func TestNothingSecretLogged(t *testing.T) {
	f := newFixture(t, withConfirm)
	l := f.requestLink("alice")
	f.post(resetPath, l.body("12345678", map[string]any{"password_confirm": "1234567"}))
	f.post(resetPath, l.body(newPassword, map[string]any{"password_confirm": newPassword}))
	f.do("POST", resetPath+"?signature="+l.Signature, jsonType, `[`)
	logs := f.logs.String()
	for _, secretText := range []string{newPassword, "12345678", l.Signature, frontURL, secret, oldPassword} {
		if strings.Contains(logs, secretText) {
			t.Errorf("log holds %q:\n%s", secretText, logs)
		}
	}
	if n := len(accessLines(f.logs.lines(t))); n != 4 {
		t.Errorf("%d access log lines, want one per request (4)", n)
	}
}

// brokenBody fails part-way, as a client that hangs up mid-request does.
type brokenBody struct{ sent bool }

func (b *brokenBody) Read(p []byte) (int, error) {
	if b.sent {
		return 0, errors.New("connection reset by peer")
	}
	b.sent = true
	return copy(p, `{"login":`), nil
}

// TestUnreadableBody: a body that breaks off is the client's fault, a 400, and changes nothing.
func TestUnreadableBody(t *testing.T) {
	f := newFixture(t)
	req := httptest.NewRequest("POST", sendPath, &brokenBody{})
	req.Header.Set("Content-Type", jsonType)
	rec := httptest.NewRecorder()
	f.api.ServeHTTP(rec, req)
	expect(t, rec, 400, `{"detail":"The request body could not be read."}`)
	if n := len(f.mailer.Sent()); n != 0 {
		t.Fatalf("%d mails sent", n)
	}
}

func TestHealthzAnswersHead(t *testing.T) {
	if rec := newFixture(t).do("HEAD", "/healthz", "", ""); rec.Code != 200 {
		t.Fatalf("HEAD /healthz: %d", rec.Code)
	}
}

// TestFieldErrorsInDRFOrder: answers list the fields as DRF declares them and
// non_field_errors last, byte for byte as django-rest-registration writes them
// (json.dumps with DRF's compact separators).
func TestFieldErrorsInDRFOrder(t *testing.T) {
	f := newFixture(t, withConfirm)
	l := f.requestLink("alice")
	rec := f.post(resetPath, l.body("12345678", map[string]any{"password_confirm": "87654321"}))
	want := `{"password":["This password is too common.","This password is entirely numeric."],` +
		`"password_confirm":["Passwords don't match"],"non_field_errors":[]}`
	if got := strings.TrimSpace(rec.Body.String()); rec.Code != 400 || got != want {
		t.Errorf("got %d %s\nwant 400 %s", rec.Code, got, want)
	}
	rec = f.post(resetPath, `{"password":"","zeta":1}`)
	want = `{"user_id":["This field is required."],"timestamp":["This field is required."],` +
		`"signature":["This field is required."],"password":["This field may not be blank."],` +
		`"password_confirm":["This field is required."]}`
	if got := strings.TrimSpace(rec.Body.String()); got != want {
		t.Errorf("got %s\nwant %s", got, want)
	}
}
